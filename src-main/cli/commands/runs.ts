import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backendDetail, versionsText } from '../../../src-shared/format/backend.js';
import { layerOverridesText } from '../../../src-shared/report/layer-overrides.js';
import { planRun } from '../../../src-shared/plan.js';
import { RUN_STATUSES, type RunStatus } from '../../../src-shared/api/records.js';
import { viewOfExperiment } from '../../../src-shared/report/build-view.js';
import { shortPercent } from '../../../src-shared/report/format.js';
import { examplesText, maskUpdateSchedule, pruningSchedule } from '../../../src-shared/report/recipe.js';
import { scheduleNotes } from '../../../src-shared/report/update-note.js';
import { DROP_GROW_METHODS } from '../../../src-shared/names.js';
import { openStore, type Store } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatDuration, formatPercent, formatRatio, table } from '../format.js';
import { STORE_FLAGS, storeLocation } from '../options.js';
import { parseFlags, parseRunIds } from '../parse-flags.js';

export const LIST_HELP = `rigl-lab list [--status S] [--search TEXT] [--limit N] [--json] [--db FILE]
  The stored runs, newest first. --search finds each word in a run's name, notes, tags, method,
  model or dataset, or its experiment's name or tags, in any order; quote a phrase to keep its
  words together ('"seed 9"').`;
export const EXPERIMENTS_HELP = `rigl-lab experiments [--json] [--db FILE]
  The stored experiments with their run counts and dashboard view (rigl-lab report ID writes it).`;
export const SHOW_HELP = `rigl-lab show RUN [--json] [--db FILE]
  One run: config, status, backend, final metrics, layers and the last log lines.`;
export const EXPORT_HELP = `rigl-lab export RUN [--format json|csv] [--out FILE] [--db FILE]
  JSON holds the config, metrics, layers and maskUpdates [{step, layer, active, dropped, grown}];
  CSV the metrics, one row per step (JSON unless --format csv, or --out names a .csv file).
  Written to stdout unless --out is given.`;

const NO_RUNS = 'No runs yet. Start one with `rigl-lab run` or `rigl-lab serve`.';
const NO_EXPERIMENTS = 'No experiments yet. Create one with `rigl-lab run --method rigl,static …` or in the app.';

/** What show and export say of a run in a database that does not exist yet. */
function noRun(id: number): (dbPath: string) => never {
  return (dbPath) => {
    throw new UsageError(`RUN: no run ${id}: there is no database at ${dbPath} yet`);
  };
}

/**
 * Runs a reading command on the store; `whenMissing` answers instead where there is no database
 * yet, which these commands leave uncreated (the first run makes it).
 */
function withStore<T>(values: { db?: string | boolean | undefined }, f: (store: Store) => T, whenMissing: (dbPath: string) => T): T {
  const { dbPath } = storeLocation({ db: typeof values.db === 'string' ? values.db : undefined });
  if (!existsSync(dbPath)) return whenMissing(dbPath);
  const store = openStore(dbPath, { readonly: false });
  try {
    // Runs left "running" by a process that died show as interrupted (and resumable).
    store.markStaleRunningAsInterrupted();
    return f(store);
  } finally {
    store.close();
  }
}

export function listCommand(args: string[], ctx: CommandContext): number {
  const { values } = parseFlags('list', () => parseArgs({ args, options: { ...STORE_FLAGS, status: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' } } as const, strict: true, allowPositionals: false, allowNegative: true }));
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: "${values.limit}" is not a positive whole number`);
  const statuses = values.status?.split(',').map((s) => s.trim());
  const unknown = statuses?.find((s) => !(RUN_STATUSES as readonly string[]).includes(s));
  if (unknown !== undefined) throw new UsageError(`--status: "${unknown}" is not a run status; use one or more of ${RUN_STATUSES.join(', ')}, comma-separated`);
  return withStore(values, (store) => {
    const query = {
      limit,
      ...(values.search ? { search: values.search } : {}),
      ...(statuses ? { status: statuses as RunStatus[] } : {}),
    };
    const runs = store.listRuns(query);
    if (values.json) {
      ctx.out(JSON.stringify(runs));
      return 0;
    }
    if (runs.length === 0) {
      const stored = store.countRuns();
      ctx.out(
        stored === 0
          ? NO_RUNS
          : `No run matches${statuses ? ` --status ${statuses.join(',')}` : ''}${values.search ? ` --search "${values.search}"` : ''}, of the ${stored} stored.`,
      );
      return 0;
    }
    ctx.out(
      table(
        ['id', 'name', 'status', 'method', 'model', 'sparsity', 'dist', 'seed', 'test acc', 'train FLOPs', 'inf FLOPs', 'time'],
        runs.map((r) => [
          String(r.id),
          r.name,
          r.status,
          r.config.method,
          `${r.config.dataset}/${r.config.model}`,
          // At least two decimals, and every one a derived sparsity has (0.9588, not 0.96).
          r.config.method === 'dense' ? '–' : r.config.sparsity.toFixed(Math.max(2, decimals(r.config.sparsity))),
          r.config.method === 'dense' ? '–' : r.config.distribution,
          String(r.config.seed),
          formatPercent(r.testAccuracy),
          formatRatio(r.trainFlopsRatio),
          formatRatio(r.inferenceFlopsRatio),
          formatDuration(r.durationS),
        ]),
        [0, 5, 7, 8, 9, 10, 11],
      ),
    );
    return 0;
  }, () => {
    ctx.out(values.json ? '[]' : NO_RUNS);
    return 0;
  });
}

export function showCommand(args: string[], ctx: CommandContext): number {
  const { values, positionals } = parseFlags('show', () => parseArgs({ args, options: STORE_FLAGS, strict: true, allowPositionals: true, allowNegative: true }));
  const [id] = parseRunIds(positionals, 'show', true) as [number];
  return withStore(values, (store) => {
    const run = store.getRun(id);
    if (!run) throw new UsageError(`RUN: no run ${id} in ${store.file}`);
    const layers = store.latestLayerStats(id);
    const logs = store.getRunLogs(id, { last: 20 });
    if (values.json) {
      ctx.out(JSON.stringify({ run, layers, logs, checkpoints: store.listCheckpoints(id) }));
      return 0;
    }
    const c = run.config;
    const overrides = layerOverridesText(c);
    ctx.out(
      [
        `run ${run.id} "${run.name}"  ${run.status}${run.error ? ` (${run.error})` : ''}${run.experimentId === null ? '' : `  in experiment ${run.experimentId}`}`,
        ...(run.tags.length > 0 ? [`  tags: ${run.tags.join(', ')}`] : []),
        ...(run.notes.trim() !== '' ? [`  notes: ${run.notes.trim().replace(/\s*\n\s*/g, ' / ')}`] : []),
        `  ${c.method} on ${c.dataset}/${c.model}, ${c.method === 'dense' ? 'no sparsity' : `sparsity ${c.sparsity} ${c.distribution}`}, seed ${c.seed}`,
        ...(overrides === null ? [] : [`  layers: ${overrides}, the other layers by the ${c.distribution} distribution`]),
        `  ${c.epochs} ${c.epochs === 1 ? 'epoch' : 'epochs'} ×${c.trainingMultiplier}, batch ${c.batchSize}, lr ${c.optimizer.lr} ${c.lrSchedule.kind}, ` +
          `momentum ${c.optimizer.momentum}${c.optimizer.nesterov ? ' (Nesterov)' : ''}, weight decay ${c.optimizer.weightDecay}`,
        `  trained on ${examplesText(c.trainSubset, 'training')}, ${shortPercent(c.validationFraction)} of them held out for validation; tested on ${examplesText(c.testSubset, 'test')}`,
        ...(DROP_GROW_METHODS.includes(c.method) ? [`  ${maskUpdateSchedule(c)}`] : c.method === 'pruning' ? [`  ${pruningSchedule(c)}`] : []),
        ...scheduleNotes([c]).map((note) => `  note: ${note}`),
        `  backend ${run.backend === null ? '–' : `${run.backend} ${backendDetail(run.device, run.config.backend, run.backendReason)}`}`,
        // Runs trained before versions were recorded say so rather than nothing.
        ...(run.backend === null ? [] : [`  versions ${run.backendVersions === null ? 'not recorded' : versionsText(run.backendVersions)}`]),
        // A run that never started has recorded no total: its plan's.
        `  steps ${run.stepsDone}/${run.totalSteps ?? planRun(run.config).totalSteps}, time ${formatDuration(run.durationS)}`,
        `  test accuracy ${formatPercent(run.testAccuracy)} (best ${formatPercent(run.bestTestAccuracy)}), validation ${formatPercent(run.valAccuracy)}`,
        // Both count the weights that are 0 at the end: a weight the mask keeps can be 0 (SET's
        // regrown weights feeding dead units), which the layers' mask densities below do not show.
        `  training FLOPs ${formatRatio(run.trainFlopsRatio)} dense, inference ${formatRatio(run.inferenceFlopsRatio)}, final sparsity ${formatPercent(run.finalSparsity)} (weights at 0)`,
      ].join('\n'),
    );
    if (layers.length > 0) {
      ctx.out(
        '\n' +
          table(
            ['layer', 'params', 'active', 'mask density'],
            layers.map((l) => [l.layer, String(l.params), String(l.active), l.density.toFixed(4)]),
            [1, 2, 3],
          ),
      );
    }
    if (logs.length > 0) ctx.out(`\n${logs.map((l) => `${l.time} ${l.level} ${l.message}`).join('\n')}`);
    return 0;
  }, noRun(id));
}

export async function exportCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('export', () => parseArgs({ args, options: { ...STORE_FLAGS, format: { type: 'string' }, out: { type: 'string' } } as const, strict: true, allowPositionals: true, allowNegative: true }));
  const [id] = parseRunIds(positionals, 'export', true) as [number];
  // Without --format, an --out file ending in .csv asks for CSV.
  const format = values.format ?? (values.out?.toLowerCase().endsWith('.csv') ? 'csv' : 'json');
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format: must be json or csv, got "${format}"`);
  const text = withStore(values, (store) => {
    if (!store.getRun(id)) throw new UsageError(`RUN: no run ${id} in ${store.file}`);
    return store.exportRun(id, format);
  }, noRun(id));
  if (values.out) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(values.out, text).catch((error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'its folder does not exist' : error.code === 'EISDIR' ? `it is a folder; name the file to write (run-${id}.json, say)` : error.message;
      throw new UsageError(`--out: cannot write ${values.out}: ${why}`);
    });
    ctx.err(`run ${id} written to ${values.out}`);
  } else {
    ctx.out(text);
  }
  return 0;
}

export function experimentsCommand(args: string[], ctx: CommandContext): number {
  const { values } = parseFlags('experiments', () => parseArgs({ args, options: STORE_FLAGS, strict: true, allowPositionals: false, allowNegative: true }));
  return withStore(values, (store) => {
    const experiments = store.listExperiments();
    if (values.json) {
      ctx.out(JSON.stringify(experiments));
      return 0;
    }
    if (experiments.length === 0) {
      ctx.out(NO_EXPERIMENTS);
      return 0;
    }
    ctx.out(
      table(
        ['id', 'name', 'view', 'runs', 'completed', 'running', 'queued', 'other', 'created'],
        experiments.map((e) => {
          const counts = e.runCounts;
          const total = Object.values(counts).reduce((a, b) => a + b, 0);
          const other = total - counts.completed - counts.running - counts.queued;
          return [String(e.id), e.name, viewOfExperiment(e.spec), String(total), String(counts.completed), String(counts.running), String(counts.queued), String(other), e.createdAt.slice(0, 16).replace('T', ' ')];
        }),
        [0, 3, 4, 5, 6, 7],
      ),
    );
    return 0;
  }, () => {
    ctx.out(values.json ? '[]' : NO_EXPERIMENTS);
    return 0;
  });
}

/** How many decimals a value is written with (0.9588: 4), at most 6. */
function decimals(value: number): number {
  const text = String(Number(value.toFixed(6)));
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
}
