import { cpus, platform } from 'node:os';
import { expandExperiment, refuseRepeatedGridValues } from '../../src-shared/config/experiment.js';
import {
  API_METHODS,
  isApiMethod,
  type ApiMethod,
  type ApiParsedParams,
  type ApiResult,
  type Settings,
} from '../../src-shared/api/contract.js';
import { ConfigError, parseWith } from '../../src-shared/config/run.js';
import type { RunLogRecord } from '../../src-shared/api/records.js';
import type { BackendChoice } from '../../src-shared/names.js';
import { firstUnavailable, listBackends } from '../engine/backend/select-backend.js';
import { datasetProblems, fetchDataset, importDataset, listDatasets } from '../engine/data/index.js';
import type { EmitEvent, RunQueue } from '../runner/queue.js';
import type { Store } from '../store/index.js';
import { VERSION } from '../version.js';

export interface ApiContext {
  store: Store;
  queue: RunQueue;
  emit: EmitEvent;
  dbPath: string;
  dataDir: string;
  mode: 'electron' | 'web';
}

type Handlers = { [M in ApiMethod]: (params: ApiParsedParams<M>) => ApiResult<M> | Promise<ApiResult<M>> };

/** A request whose method or params are wrong; the caller answers with the message and field list. */
export class ApiRequestError extends Error {
  override name = 'ApiRequestError';
}

/**
 * Refuses backends this machine cannot run (auto always can), naming the first and why; `fromSettings`
 * is the backend that auto stood for, which the user changes in Settings rather than in the form.
 */
async function refuseUnavailableBackends(names: readonly BackendChoice[], fromSettings?: BackendChoice): Promise<void> {
  const status = await firstUnavailable(names);
  if (status === undefined) return;
  const origin = status.name === fromSettings ? ' (Settings chose it for auto: choose another there)' : '';
  const message = `Backend ${status.name}${origin} is not available on this machine: ${status.reason}`;
  throw new ConfigError(message, [{ path: 'backend', message }]);
}

/** The newest lines of a run's log, and how many earlier ones are left out. */
function newestLogs(store: Store, id: number): { logs: RunLogRecord[]; earlierLogs: number } {
  const logs = store.getRunLogs(id, { last: RUN_PAGE_LOG_LINES });
  return { logs, earlierLogs: store.countRunLogs(id) - logs.length };
}
const RUN_PAGE_LOG_LINES = 500;

/**
 * The back end of every api method, shared by Electron's IPC and web mode's WebSocket: params
 * are parsed with the contract's schema before a handler sees them.
 */
export function createApiHandler(ctx: ApiContext): (method: string, params: unknown) => Promise<unknown> {
  const { store, queue, emit } = ctx;
  const settings = (): Settings => store.getSettings();

  const handlers: Handlers = {
    'system.info': async () => ({
      version: VERSION,
      mode: ctx.mode,
      dbPath: ctx.dbPath,
      dataDir: ctx.dataDir,
      platform: `${platform()} ${process.arch}, Node ${process.versions.node}`,
      cpus: cpus().length,
      backends: await listBackends(),
    }),
    'settings.get': () => settings(),
    'settings.update': async (patch) => {
      // Refused here rather than stored, so that runs asking for it do not fail one after another.
      if (patch.backend !== undefined) await refuseUnavailableBackends([patch.backend]);
      const next = store.updateSettings(patch);
      queue.setConcurrency(next.concurrency);
      return next;
    },

    'datasets.list': () => listDatasets(ctx.dataDir),
    'datasets.fetch': ({ name }) => {
      emit('dataset.progress', { name, phase: 'download', receivedBytes: 0, totalBytes: null, file: null, error: null });
      let last = 0;
      fetchDataset(name, ctx.dataDir, {
        onProgress: (receivedBytes, totalBytes, file) => {
          const now = Date.now();
          if (now - last < 200 && receivedBytes !== totalBytes) return;
          last = now;
          emit('dataset.progress', { name, phase: 'download', receivedBytes, totalBytes: totalBytes ?? null, file, error: null });
        },
      }).then(
        () => emit('dataset.progress', { name, phase: 'done', receivedBytes: 0, totalBytes: null, file: null, error: null }),
        (error: unknown) =>
          emit('dataset.progress', {
            name,
            phase: 'error',
            receivedBytes: 0,
            totalBytes: null,
            file: null,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
      return { ok: true as const };
    },
    'datasets.import': async ({ name, path }) => {
      await importDataset(name, path, ctx.dataDir);
      const status = (await listDatasets(ctx.dataDir)).find((s) => s.name === name)!;
      return status;
    },

    'experiments.create': async ({ spec }) => {
      refuseRepeatedGridValues(spec);
      const asked = expandExperiment(spec);
      const configs = asked.map((c) => ({ ...c, backend: c.backend === 'auto' ? settings().backend : c.backend }));
      // Refused here, as the CLI refuses it, rather than queued to fail one run after another.
      const { unavailable, shortfalls } = await datasetProblems(configs, ctx.dataDir);
      if (unavailable.length > 0) {
        const message = unavailable.map((s) => `${s.label} is not on this machine yet: download it or import a copy on the Datasets page`);
        throw new ConfigError(message.join('\n'), message.map((m) => ({ path: 'dataset', message: m })));
      }
      await refuseUnavailableBackends(
        configs.map((c) => c.backend),
        asked.some((c) => c.backend === 'auto') ? settings().backend : undefined,
      );
      if (shortfalls.length > 0) throw new ConfigError(shortfalls.join('\n'), shortfalls.map((m) => ({ path: 'trainSubset', message: m })));
      const created = store.createExperiment(spec, configs);
      emit('runs.changed', { runIds: created.runIds });
      queue.pump();
      queue.announce();
      return created;
    },
    'experiments.list': () => store.listExperiments(),
    'experiments.get': ({ id }) => {
      const experiment = store.getExperiment(id);
      if (!experiment) throw new ApiRequestError(`experiment ${id} does not exist`);
      return { experiment, runs: store.listRuns({ experimentId: id, orderBy: 'oldest', limit: 100_000 }) };
    },
    'experiments.delete': ({ id }) => {
      const runIds = store.listRuns({ experimentId: id, limit: 100_000 }).map((r) => r.id);
      store.deleteExperiment(id);
      emit('runs.changed', { runIds });
      queue.announce();
      return { ok: true as const };
    },

    'runs.list': (query) => {
      const filter = {
        ...(query.ids ? { ids: query.ids } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.experimentId !== undefined ? { experimentId: query.experimentId } : {}),
        ...(query.search ? { search: query.search } : {}),
      };
      return {
        total: store.countRuns(filter),
        runs: store.listRuns({ ...filter, limit: query.limit, offset: query.offset, orderBy: query.orderBy }),
      };
    },
    'runs.get': ({ id }) => {
      const run = store.getRun(id);
      if (!run) throw new ApiRequestError(`run ${id} does not exist`);
      return {
        run,
        layers: store.latestLayerStats(id),
        checkpoints: store.listCheckpoints(id),
        ...newestLogs(store, id),
      };
    },
    'runs.metrics': ({ ids, names, maxPoints }) =>
      ids.map((runId) => ({
        runId,
        series: store.getMetrics(runId, { ...(names ? { names } : {}), ...(maxPoints ? { maxPoints } : {}) }),
      })),
    'runs.layerHistory': ({ id }) => store.layerStatsOverTime(id),
    'runs.maskUpdates': ({ id }) => store.getMaskUpdates(id),
    'runs.logs': ({ id, afterId }) => store.getRunLogs(id, { ...(afterId !== undefined ? { afterId } : {}), limit: 1000 }),
    'runs.update': ({ id, tags, notes }) => {
      if (tags !== undefined) store.setRunTags(id, tags);
      if (notes !== undefined) store.setRunNotes(id, notes);
      emit('runs.changed', { runIds: [id] });
      return store.getRun(id)!;
    },
    'runs.delete': ({ ids }) => {
      for (const id of ids) {
        const run = store.getRun(id);
        if (run?.status === 'running') throw new ApiRequestError(`run ${id} is running: cancel it before deleting`);
      }
      let deleted = 0;
      for (const id of ids) if (store.deleteRun(id)) deleted++;
      emit('runs.changed', { runIds: ids });
      queue.announce();
      return { deleted };
    },
    'runs.export': ({ id, format }) => {
      const run = store.getRun(id);
      if (!run) throw new ApiRequestError(`run ${id} does not exist`);
      return {
        filename: `rigl-lab-run-${id}.${format}`,
        mime: format === 'json' ? 'application/json' : 'text/csv',
        content: store.exportRun(id, format),
      };
    },
    'runs.exportSummary': ({ ids }) => ({ filename: 'rigl-lab-runs.csv', mime: 'text/csv', content: store.exportRunsCsv(ids) }),

    'queue.state': () => queue.state(),
    'queue.pause': () => queue.pause(),
    'queue.resume': () => queue.resume(),
    'queue.cancel': ({ runId }) => queue.cancel(runId),
    'queue.rerun': ({ runId }) => ({ runId: queue.rerun(runId) }),
    'queue.move': ({ runId, position }) => queue.move(runId, position),
  };

  return async (method, rawParams) => {
    if (!isApiMethod(method)) throw new ApiRequestError(`unknown method "${method}"`);
    const params = parseWith(API_METHODS[method].params, rawParams ?? {}, 'params');
    const handler = handlers[method] as (p: unknown) => unknown;
    return await handler(params);
  };
}
