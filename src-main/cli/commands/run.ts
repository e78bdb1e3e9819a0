import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { EXPERIMENT_NAME_MAX, expandExperiment, parseExperimentSpec, type ExperimentSpec } from '../../../src-shared/config/experiment.js';
import type { LayerStatRecord, RunRecord } from '../../../src-shared/api/records.js';
import { ConfigError, type RunConfig } from '../../../src-shared/config/run.js';
import { dataAndModel } from '../../../src-shared/datasets.js';
import { METHOD_LABELS, type MethodName } from '../../../src-shared/names.js';
import { sparsityLabel } from '../../../src-shared/report/format.js';
import { sharedTimeNote } from '../../../src-shared/report/run-time.js';
import { BOOKKEEPING_FIELDS } from '../../../src-shared/report/config-diff.js';
import { scheduleNotes } from '../../../src-shared/report/update-note.js';
import { longWarmupNotes } from '../../../src-shared/report/warmup-note.js';
import { firstUnavailable } from '../../engine/backend/select-backend.js';
import { datasetProblems } from '../../engine/data/index.js';
import { resumeOutcomeOf } from '../../runner/checkpoint-files.js';
import { Interruption, executeRun, type ExecutedRun } from '../../runner/execute-run.js';
import { openStore, type Store } from '../../store/index.js';
import { outputWasClosed, SIGPIPE_STATUS, type CommandContext } from '../context.js';
import { experimentTablesText } from '../experiment-tables.js';
import { checkThreadsEnv } from '../threads-env.js';
import { UsageError } from '../errors.js';
import { formatDuration, formatPercent, formatRatio } from '../format.js';
import { STORE_FLAGS, storeLocation } from '../options.js';
import { parseFlags } from '../parse-flags.js';
import { ProgressBar } from '../progress-bar.js';
import { RUN_FLAGS, configErrorAsFlags, flagsToExperiment, runFlagOptions, runFlagsHelp } from '../run-flags.js';

export const RUN_HELP = `rigl-lab run [training flags] [--config FILE] [--name NAME] [--db FILE] [--data-dir DIR] [--json]
  Trains one run, or a grid: comma lists (--method rigl,static --sparsity 0.8,0.9 --seed 0,1,2) and
  a --config FILE experiment (JSON: {"name", "base": {run config}, "grid": {axis: [values]}}) expand
  to every combination. Flags override the file, which must be valid alone. Fields left out take
  the dataset's recipe. A grid is stored as an experiment, named by --name, the file's name, or
  else by what it sweeps, its method and the other flags typed ("Fashion-MNIST · mlp: RigL × α 0.1,
  0.3 (with --epochs 5)"); a single run (a file without a grid, or flags without lists) is named by
  --name or the file's name, and takes the file's tags. The file's name gets the flags that change
  what it trains ("… (with --method rigl --epochs 1)").
  A grid that runs through ends with its runs side by side on stderr, as its dashboard tables them.
  With --json, each finished run prints one JSON line on stdout (the last line is the last run).

training flags:
${runFlagsHelp()}`;

const RUN_OPTIONS = {
  ...runFlagOptions,
  ...STORE_FLAGS,
  config: { type: 'string' },
  name: { type: 'string' },
} as const;

/**
 * A finished run's JSON line. Each layer's density is its mask's, as `show` and `export` give it;
 * nonzeroDensity counts the weights that are not zero (a weight grown at the last mask update
 * starts at 0), from which the inference FLOPs are counted.
 */
export function runSummary(run: RunRecord, executed: ExecutedRun, masks: readonly LayerStatRecord[]): Record<string, unknown> {
  const maskOf = new Map(masks.map((m) => [m.layer, m]));
  return {
    runId: run.id,
    experimentId: run.experimentId,
    name: run.name,
    status: run.status,
    method: run.config.method,
    model: run.config.model,
    dataset: run.config.dataset,
    sparsity: run.config.sparsity,
    distribution: run.config.distribution,
    seed: run.config.seed,
    backend: run.backend,
    testAccuracy: run.testAccuracy,
    bestTestAccuracy: run.bestTestAccuracy,
    valAccuracy: run.valAccuracy,
    trainFlops: run.trainFlops,
    trainFlopsRatio: run.trainFlopsRatio,
    inferenceFlops: run.inferenceFlops,
    inferenceFlopsRatio: run.inferenceFlopsRatio,
    finalSparsity: run.finalSparsity,
    durationS: run.durationS,
    stepsDone: run.stepsDone,
    error: run.error,
    layers: (executed.outcome?.layers ?? []).map((l) => ({ name: l.layer, shape: l.shape, density: maskOf.get(l.layer)?.density ?? null, nonzeroDensity: l.density })),
  };
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Flags on top of a config file: base fields merge (nested objects too), and an axis a flag
 * sets, to one value or to a list, replaces the file's axis (a single value sits in the base,
 * where the file's axis would otherwise sweep over it).
 */
function mergeSpecs(file: Record<string, unknown>, flags: ReturnType<typeof flagsToExperiment>, values: Record<string, unknown>): Record<string, unknown> {
  const fileBase = (file.base ?? {}) as Record<string, unknown>;
  const base: Record<string, unknown> = { ...fileBase };
  for (const [key, value] of Object.entries(flags.base ?? {})) {
    const existing = base[key];
    base[key] =
      value && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object'
        ? { ...(existing as object), ...value }
        : value;
  }
  const fileGrid: Record<string, unknown> = { ...((file.grid ?? {}) as object) };
  for (const [flag, def] of Object.entries(RUN_FLAGS)) if (def.grid && values[flag] !== undefined) delete fileGrid[def.grid];
  return { ...file, base, grid: { ...fileGrid, ...(flags.grid ?? {}) } };
}

/** What `run` makes of its flags and --config file. */
export interface ResolvedRuns {
  spec: ExperimentSpec;
  configs: RunConfig[];
  values: Record<string, unknown>;
  /**
   * Whether the runs make an experiment (named by --name, else by the file's name): a grid, or a
   * config file that is one (a grid of its own), even where flags narrow it to a single run.
   */
  experiment: boolean;
  /** A lone run's name and tags: --name, else a config file's name; the file's tags. */
  lone: { name: string | undefined; tags: string[] };
}

/** The runs the flags (and --config file) ask for. */
export function resolveRunFlags(args: string[]): ResolvedRuns {
  const { values } = parseFlags('run', () => parseArgs({ args, options: RUN_OPTIONS, strict: true, allowPositionals: false, allowNegative: true }));
  const givenName = typeof values.name === 'string' ? values.name : undefined;
  const flags = flagsToExperiment(values, givenName ?? 'run');
  try {
    if (typeof values.config === 'string') {
      const file = readConfigFile(values.config);
      if (!file || typeof file !== 'object' || Array.isArray(file)) throw new UsageError(`--config ${values.config}: must hold a JSON object`);
      const named = { name: values.config, ...(file as object) };
      // The file is checked alone first, so that a flag over a bad field does not hide it, and an
      // error the flags bring in names them, not the file.
      let fileIsGrid: boolean;
      try {
        const fileSpec = parseExperimentSpec(named);
        fileIsGrid = isGrid(fileSpec, expandExperiment(fileSpec));
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(`${values.config}:\n${error.message}`);
        throw error;
      }
      const typed = Object.keys(RUN_FLAGS).filter((f) => (values as Record<string, unknown>)[f] !== undefined);
      try {
        const merged = mergeSpecs(named, flags, values);
        // The file's name says what the file trains; flags over it say what changed (and keep a
        // narrowed or changed copy apart from the file's own experiment).
        const name = withFlagsTyped(String(merged.name), flagsAsTyped(args, typed, values as Record<string, unknown>));
        const spec = parseExperimentSpec({ ...merged, name: givenName ?? name });
        const configs = expandExperiment(spec);
        const fileName = 'name' in file ? spec.name : undefined;
        return { spec, configs, values, experiment: fileIsGrid || isGrid(spec, configs), lone: { name: givenName ?? fileName, tags: spec.tags } };
      } catch (error) {
        if (error instanceof ConfigError) throw configErrorAsFlags(error, { path: values.config, typed: new Set(typed) }, values);
        throw error;
      }
    }
    const parsed = parseExperimentSpec(flags);
    const configs = expandExperiment(parsed);
    // Named by its swept axes, and the flags typed besides them: two grids that differ only in a
    // single-valued flag (--sparsity 0.8 against 0.95) are told apart.
    const unswept = Object.keys(RUN_FLAGS).filter((f) => {
      const def = RUN_FLAGS[f]!;
      return (values as Record<string, unknown>)[f] !== undefined && !(def.grid !== undefined && def.grid in parsed.grid) && !['dataset', 'model', 'method'].includes(def.path);
    });
    const spec = givenName === undefined ? { ...parsed, name: withFlagsTyped(gridName(configs[0]!, parsed.grid), flagsAsTyped(args, unswept, values as Record<string, unknown>)) } : parsed;
    return { spec, configs, values, experiment: isGrid(spec, configs), lone: { name: givenName, tags: [] } };
  } catch (error) {
    if (error instanceof ConfigError) throw configErrorAsFlags(error, undefined, values);
    throw error;
  }
}

/**
 * The run flags among `typed` that change what is trained, as they were typed and in that order
 * ("--method rigl --no-nesterov"); bookkeeping (backend, logging, checkpoints) left out.
 */
function flagsAsTyped(args: readonly string[], typed: readonly string[], values: Record<string, unknown>): string {
  const position = (flag: string) => args.findIndex((a) => a === `--${flag}` || a.startsWith(`--${flag}=`) || a === `--no-${flag}`);
  return typed
    .filter((flag) => !(BOOKKEEPING_FIELDS as readonly string[]).includes(RUN_FLAGS[flag]!.path))
    .sort((a, b) => position(a) - position(b))
    .map((flag) => (RUN_FLAGS[flag]!.kind === 'boolean' ? (values[flag] === false ? `--no-${flag}` : `--${flag}`) : `--${flag} ${String(values[flag])}`))
    .join(' ');
}

/** "NAME (with --sparsity 0.8 --epochs 1)", cut to the longest name an experiment may have. */
function withFlagsTyped(name: string, flags: string): string {
  const whole = flags === '' ? name : `${name} (with ${flags})`;
  return whole.length > EXPERIMENT_NAME_MAX ? `${whole.slice(0, EXPERIMENT_NAME_MAX - 1)}…` : whole;
}

const isGrid = (spec: ExperimentSpec, configs: readonly RunConfig[]): boolean => configs.length > 1 || Object.keys(spec.grid).length > 0;

export async function runCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { spec, configs, values, experiment, lone } = resolveRunFlags(args);
  const threadsNote = checkThreadsEnv();
  const location = storeLocation(values as { db?: string; 'data-dir'?: string });
  await requireDatasets(configs, location.dataDir);
  const unavailable = await firstUnavailable(configs.map((c) => c.backend));
  if (unavailable !== undefined) throw new UsageError(`--backend: ${unavailable.name} is not available on this machine: ${unavailable.reason}`);

  const store = openStore(location.dbPath);
  try {
    const runIds = experiment
      ? store.createExperiment(spec, configs, { held: true }).runIds
      : [store.createRun(configs[0]!, { name: lone.name, tags: lone.tags, held: true })];
    ctx.err(`${runIds.length} run${runIds.length > 1 ? 's' : ''} in ${location.dbPath}`);
    for (const note of [...scheduleNotes(configs), ...longWarmupNotes(configs), ...(threadsNote === null ? [] : [threadsNote])]) ctx.err(`note: ${note}`);
    return await executeRuns(store, runIds, location.dataDir, ctx, values.json === true);
  } finally {
    store.close();
  }
}

/**
 * Runs stored runs one after another (queued and held for this process, so that an app's queue
 * on the same database leaves them); Ctrl-C cancels the current one and stops. Having run through,
 * it prints the tables of the runs' experiments. Exit code 0 when all completed.
 */
export async function executeRuns(store: Store, runIds: number[], dataDir: string, ctx: CommandContext, json: boolean): Promise<number> {
  const controller = new AbortController();
  // Ctrl-C is the user cancelling; SIGTERM and SIGHUP (a scheduler, a closed terminal, a reader
  // gone: see stopWhenOutputCloses) interrupt, resumable. The exit code says which, as the
  // shell's 128 + signal number would.
  let exitCode = 130;
  const onCancel = () => controller.abort();
  // A second SIGTERM or SIGHUP is the same stop (a scheduler signals every process of a job: this
  // one, and the one that started it for tfjs-node-gpu, which passes its own on).
  const onInterrupt = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    const [code, why] =
      signal === 'SIGHUP'
        ? [129, 'because its terminal closed (SIGHUP)']
        : outputWasClosed()
          ? [SIGPIPE_STATUS, 'because the reader of its output went away']
          : [143, 'by a SIGTERM (a scheduler, or kill)'];
    exitCode = code;
    controller.abort(new Interruption(why));
  };
  process.once('SIGINT', onCancel);
  process.on('SIGTERM', onInterrupt);
  process.on('SIGHUP', onInterrupt);
  // The runs after the current one stop as soon as the signal comes: a second Ctrl-C, which
  // ends the process at once, must not leave them queued.
  let current = 0;
  let lastStarted: number | null = null;
  let notStarted: number[] = [];
  const stoppedAs = () => (controller.signal.reason instanceof Interruption ? 'interrupted' : 'cancelled');
  const stopRest = () => {
    try {
      notStarted = stopNotStarted(store, runIds.slice(current + 1), stoppedAs());
    } catch {
      // The database was busy (the app writing): tried again below, once the current run has stopped.
    }
  };
  controller.signal.addEventListener('abort', stopRest, { once: true });
  let failures = 0;
  try {
    for (const [i, runId] of runIds.entries()) {
      current = i;
      if (controller.signal.aborted) break;
      const label = `[${i + 1}/${runIds.length}] ${store.getRun(runId)?.name ?? `run ${runId}`}`;
      if (!store.claimQueuedRun(runId)) {
        // Only a user can take a held run away: cancelled or deleted from the app, say.
        const now = store.getRun(runId);
        ctx.err(`${label}: ${now ? `now ${now.status}` : 'deleted'} by another RigL Lab process (the app, on the same database); skipped here`);
        failures++;
        continue;
      }
      lastStarted = runId;
      const bar = ctx.interactive ? new ProgressBar((text) => process.stderr.write(text), label) : null;
      if (!bar) ctx.err(`${label}: started`);
      const executed = await executeRun({
        store,
        runId,
        dataDir,
        signal: controller.signal,
        events: {
          progress: (p) => bar?.update({ ...p, loss: p.loss ?? NaN, accuracy: p.accuracy ?? NaN }),
          epoch: (epoch, testAccuracy) => {
            const line = `${label}: epoch ${epoch} test accuracy ${formatPercent(testAccuracy)}`;
            if (bar) bar.note(line);
            else ctx.err(line);
          },
        },
      });
      const run = store.getRun(runId)!;
      // A failure says why; so does a divergence, whose reason the run holds (not an error of the call).
      const why = executed.error ?? (executed.status === 'diverged' ? run.error : null);
      const line = `${label}: ${executed.status}${why ? ` (${why})` : ''}${outcomeText(run)} in ${runTime(run)}`;
      if (bar) bar.done(line);
      else ctx.err(line);
      if (json) ctx.out(JSON.stringify(runSummary(run, executed, store.latestLayerStats(runId))));
      if (executed.status !== 'completed') failures++;
    }
  } finally {
    process.off('SIGINT', onCancel);
    process.off('SIGTERM', onInterrupt);
    process.off('SIGHUP', onInterrupt);
  }
  if (controller.signal.aborted) {
    notStarted = [...notStarted, ...stopNotStarted(store, runIds.slice(current), stoppedAs())];
    const stopped = lastStarted === null ? undefined : store.getRun(lastStarted);
    if (stopped !== undefined && (stopped.status === 'cancelled' || stopped.status === 'interrupted')) {
      ctx.err(`run ${stopped.id} ${stopped.status}: \`rigl-lab resume ${stopped.id}\` ${resumeOutcomeOf(store, stopped.id)}`);
    }
    if (notStarted.length > 0) {
      const count = notStarted.length === 1 ? '1 run' : `${notStarted.length} runs`;
      ctx.err(`${count} not reached, now ${stoppedAs()}: \`rigl-lab resume ${notStarted.join(' ')}\` starts ${notStarted.length === 1 ? 'it' : 'them'}`);
    }
    return exitCode;
  }
  // Runs that ran through (some may have failed) end with their experiments' runs side by side, as
  // the dashboards table them: a grid of `run`, or the experiments `resume` finished.
  const experiments = new Set(runIds.flatMap((id) => store.getRun(id)?.experimentId ?? []));
  for (const id of experiments) ctx.err(`\n${experimentTablesText(store, id)}`);
  return failures === 0 ? 0 : 1;
}

/**
 * The runs a stopped command had not reached stop with it, as its current run does: left queued,
 * they would pass to an app's queue on the same database once this process has gone, and train
 * there unasked. `rigl-lab resume` (or Re-run in the app) starts them. Returns the runs stopped:
 * those still queued for this process, so a second call stops only what the first could not.
 */
function stopNotStarted(store: Store, runIds: number[], status: 'interrupted' | 'cancelled'): number[] {
  const stopped = runIds.filter((id) => {
    const run = store.getRun(id);
    return run?.status === 'queued' && run.ownerPid === process.pid;
  });
  const error = `not reached: the rigl-lab command that queued it was ${status === 'interrupted' ? 'stopped' : 'cancelled (Ctrl-C)'} first; \`rigl-lab resume\` or Re-run in the app starts it`;
  for (const id of stopped) store.updateRunStatus(id, status, { error });
  return stopped;
}

async function requireDatasets(configs: RunConfig[], dataDir: string): Promise<void> {
  const { unavailable, shortfalls } = await datasetProblems(configs, dataDir);
  const [status] = unavailable;
  if (status === undefined) {
    if (shortfalls.length > 0) throw new UsageError(shortfalls.map((m) => `--train-subset: ${m}`).join('\n'));
    return;
  }
  throw new UsageError(
    `${status.label} is not available in ${dataDir}: run \`rigl-lab datasets fetch ${status.name}\` or \`rigl-lab datasets import ${status.name} PATH\`` +
      (status.problems.length > 0 ? `\n${status.problems.join('\n')}` : ''),
  );
}

/** A finished run's accuracy and FLOPs for its status line; what a stopped run did not measure is left out. */
function outcomeText(run: RunRecord): string {
  const parts = [
    run.testAccuracy === null ? null : `test ${formatPercent(run.testAccuracy)}`,
    run.trainFlopsRatio === null ? null : `train FLOPs ${formatRatio(run.trainFlopsRatio)}`,
    run.inferenceFlopsRatio === null ? null : `inference ${formatRatio(run.inferenceFlopsRatio)}`,
  ].filter((p) => p !== null);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** How long a run trained, and how much of it beside other runs, when that was more than a little. */
function runTime(run: RunRecord): string {
  const note = sharedTimeNote(run);
  const time = formatDuration(run.durationS);
  return note === null ? time : `${time} (${note})`;
}

/** How a grid's name calls an axis (the others by their own name: "lr 0.05, 0.1"). */
const AXIS_WORDS: Record<string, string> = { seed: 'seeds', alpha: 'α', deltaT: 'ΔT', batchSize: 'batch', weightDecay: 'weight decay', trainingMultiplier: 'length ×', widthMultiplier: 'width ×' };

/** An unnamed grid's name, from what it trains and sweeps: "Fashion-MNIST · mlp: RigL, Static × 80%, 90% × seeds 0, 1", "…: RigL × seeds 0, 1". */
function gridName(first: RunConfig, grid: ExperimentSpec['grid']): string {
  const axes = Object.entries(grid).map(([axis, values]: [string, unknown[]]) => {
    if (axis === 'method') return values.map((m) => METHOD_LABELS[m as MethodName]).join(', ');
    if (axis === 'sparsity') return values.map((v) => sparsityLabel(v as number)).join(', ');
    return `${AXIS_WORDS[axis] ?? axis} ${values.join(', ')}`;
  });
  // The method always: a sweep of seeds or sparsities alone says which method it sweeps.
  if (!('method' in grid)) axes.unshift(METHOD_LABELS[first.method]);
  return `${dataAndModel(first.dataset, first.model)}: ${axes.join(' × ')}`;
}
