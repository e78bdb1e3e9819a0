import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import type { BackendName } from '../../src-shared/names.js';
import { loadDataset, prepareTrainingData, TrainingBatches, type LoadedDataset } from '../../src-main/engine/data/index.js';
import type { TrainingData } from '../../src-main/engine/data/split.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { BatchInput } from '../../src-main/engine/batch-input.js';
import { openStore } from '../../src-main/store/index.js';
import { relaunchForGpu } from '../../src-main/cli/gpu-relaunch.js';
import { benchBackends, parseBackendList, type BenchBackends } from './backends.js';
import { benchCases, REFERENCE_DELTA_T, type BenchCase } from './cases.js';
import { summarise } from './stats.js';
import { runInput, stepRows, timeCase, type StepRow } from './step-rows.js';
import { timeSteps } from './step-timer.js';
import { pytorchReference, type Reference } from './native-reference.js';
import { syntheticTrainingData } from './synthetic-data.js';
import { fixed, formatTable, percent, ratio } from './table.js';
import { accuracyRuns, accuracyTable } from './accuracy.js';
import { threadInterruptions } from './interruptions.js';

/**
 * `npm run bench`: step time of each model × method × backend × sparsity in one process (the
 * backends of benchBackends, or those of `--backend`), with the sparse/dense speed-up, the mask
 * overhead (masked static vs dense, median of ABBA rounds), the RigL update cost at ΔT = 100, the
 * cost of recording to the store, and dataset load and batch assembly times.
 * `--json` prints one JSON object per row instead of tables; `--quick` keeps it under two minutes.
 */
const USAGE = 'usage: npm run bench -- [--quick] [--json] [--backend wasm,node-gpu,node,cpu] | --accuracy [--seeds N] [--json]';

const HELP = `${USAGE}

Step times (the default): every model x method x sparsity on each backend, in one process, in
rounds so that dense and sparse runs meet the same machine; then the measures below the table.
  --quick            under two minutes: no cpu backend, no RigL 98%, SET, SNFS or static conv
                     rows, fewer steps for the conv nets (about 40 s on a lightly loaded 2-core machine;
                     the full run about 3 min)
  --backend a,b      time these backends only (each must load); default: wasm, the first of node-gpu
                     and node that loads, and cpu in the full run. The measures below the step table
                     (mask overhead, RigL update cost, recording, input) are taken on wasm.
  --json             one JSON object per line instead of the tables; run it as
                     \`npm run -s bench -- --json\` (npm prints a banner on stdout otherwise)
Whole runs:
  --accuracy         LeNet-300-100 on Fashion-MNIST for 15 epochs: dense, RigL 90% compressed and
                     masked dense, seed by seed (about 55 s a seed)
  --seeds N          seeds 0..N-1 of --accuracy (default 3)
Environment: RIGL_LAB_THREADS (wasm kernel threads), RIGL_LAB_BENCH_PYTHON (a Python with torch
for the PyTorch reference; else python3).`;

/** PyTorch's time for a dense model, measured in the same run. */
interface ReferenceRow {
  kind: 'reference';
  model: string;
  method: 'dense';
  backend: 'pytorch-cpu';
  sparsity: 0;
  batch: number;
  threads: number;
  msPerStep: number;
  imagesPerSecond: number;
  torch: string;
}

/**
 * A measure below the step table. `value` is a share of time (`unit` 'share') or milliseconds
 * ('ms': a dataset load, or one batch made); `msPerStep` is the training step the share was taken
 * against (null where there is none). Fields a measure has no
 * value for are null, so that a reader of the JSON lines averaging step times skips them.
 */
interface OtherRow {
  kind: 'recording' | 'dataset' | 'input' | 'mask' | 'update-share' | 'update-each' | 'machine';
  model: string | null;
  method: string | null;
  backend: string | null;
  sparsity: number | null;
  batch: number | null;
  msPerStep: number | null;
  detail: string;
  value: number;
  unit: 'share' | 'ms';
  /** Recording rows: the Recorder's own time per step. */
  recorderMsPerStep?: number;
}

/** The step fields of a measure taken on no model (the machine, a dataset's load). */
const NO_STEP = { model: null, method: null, backend: null, sparsity: null, batch: null, msPerStep: null } as const;

/** A backend asked for or looked for that could not be timed, so that the JSON lines say so too. */
interface NotTimedRow {
  kind: 'not-timed';
  model: null;
  method: null;
  backend: string;
  sparsity: null;
  batch: null;
  msPerStep: null;
  reason: string;
}

interface BenchArgs {
  quick: boolean;
  json: boolean;
  /** Seeds of the whole-run accuracy comparison, when asked for instead of step times. */
  accuracySeeds: number[] | null;
  /** Backends whose steps to time; null: every one that loads here (see benchBackends). */
  backends: BackendName[] | null;
}

function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { quick: false, json: false, accuracySeeds: null, backends: null };
  let seeds = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (arg === '--quick') args.quick = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--accuracy') args.accuracySeeds = [];
    else if (arg === '--backend') args.backends = parseBackendList(argv[++i]);
    else if (arg === '--seeds') {
      seeds = Number(argv[++i]);
      if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: expected a whole number ≥ 1, got "${argv[i] ?? ''}"; ${USAGE}`);
    } else throw new Error(`unknown argument "${arg}"; ${USAGE}`);
  }
  if (argv.includes('--seeds') && args.accuracySeeds === null) throw new Error(`--seeds goes with --accuracy; ${USAGE}`);
  if (args.accuracySeeds !== null) {
    if (args.quick || args.backends) throw new Error(`--quick and --backend are for step times; --accuracy trains whole runs on wasm; ${USAGE}`);
    args.accuracySeeds = Array.from({ length: seeds }, (_, seed) => seed);
  }
  return args;
}

/** Whole runs, dense and RigL both ways (see accuracy.ts): a table, or one JSON row per run. */
async function accuracyMain(seeds: number[], json: boolean, fashion: LoadedDataset): Promise<void> {
  const rows = await accuracyRuns(fashion, seeds, (row) => {
    if (json) console.log(JSON.stringify(row));
    else console.error(`trained ${row.path} seed ${row.seed}: ${(100 * row.testAccuracy).toFixed(2)}% in ${row.seconds.toFixed(1)} s`);
  });
  if (!json) console.log(accuracyTable(rows));
}

async function main(): Promise<void> {
  const { quick, json, accuracySeeds, backends: requested } = parseArgs(process.argv.slice(2));
  // tfjs-node-gpu loads in this process: started again where CUDA's folders must reach the loader.
  const relaunched = await relaunchForGpu(process.argv.slice(1));
  if (relaunched !== null) {
    process.exitCode = relaunched;
    return;
  }
  const emit = (row: StepRow | ReferenceRow | OtherRow | NotTimedRow): void => {
    if (json) console.log(JSON.stringify(row));
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'rigl-lab-bench-'));
  const removeData = (): void => rmSync(dataDir, { recursive: true, force: true });
  // A signal ends the process without running `finally`: the decoded dataset (about 50 MB) would stay.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeData();
      process.exit(code);
    });
  }
  try {
    const loadStarted = performance.now();
    const fashion = await loadDataset('fashion-mnist', { dataDir });
    const decodeMs = performance.now() - loadStarted;
    const cachedStarted = performance.now();
    await loadDataset('fashion-mnist', { dataDir });
    const cachedMs = performance.now() - cachedStarted;
    if (accuracySeeds !== null) return await accuracyMain(accuracySeeds, json, fashion);

    const data = (c: BenchCase): TrainingData => {
      const count = c.steps * c.batch;
      return c.dataset === 'fashion-mnist'
        ? prepareTrainingData(fashion, { validationFraction: 0, seed: 0, trainSubset: count, testSubset: c.batch })
        : syntheticTrainingData(c.dataset, count, c.batch);
    };

    const backends = await benchBackends(requested, quick);
    for (const { name, reason } of backends.skipped) {
      console.error(`not timing ${name}: ${reason}`);
      emit({ kind: 'not-timed', ...NO_STEP, backend: name, reason });
    }
    const cases = benchCases(quick, backends.backends);
    const stoppedBefore = await machineInterruptions('before the step timings');
    const steps = await stepRows(cases, data, {
      onRow: (row) => {
        if (!json) console.error(`timed ${row.model} ${row.method} (${row.path}) ${row.backend} s=${row.sparsity}: ${row.msPerStep.toFixed(1)} ms/step`);
      },
    });
    const reference = nativeReference(cases, steps);
    for (const row of steps) emit(row);
    if (reference.available) for (const row of reference.rows) emit(row);
    else if (json) console.error(`native reference: ${reference.reason}`);

    const others: OtherRow[] = [
      stoppedBefore,
      await machineInterruptions('after them'),
      await maskOverhead(data),
      ...(await updateCostInRuns(fashion)),
      await recordingOverhead(fashion, dataDir),
      { kind: 'dataset', ...NO_STEP, detail: 'Fashion-MNIST decode (gzip IDX) and cache', value: decodeMs, unit: 'ms' },
      { kind: 'dataset', ...NO_STEP, detail: 'Fashion-MNIST load from cache', value: cachedMs, unit: 'ms' },
      await batchAssembly(fashion, false, 'host'),
      await batchAssembly(fashion, true, 'host'),
      await batchAssembly(fashion, false, 'wasm'),
      await batchAssembly(fashion, true, 'wasm'),
    ];
    for (const row of others) emit(row);
    if (!json) printTables(steps, reference, others, backends, quick);
  } finally {
    removeData();
  }
}

/**
 * Applying masks: static at 90% on the masked dense path against dense, same model and backend.
 * A single pair on a shared machine differs by more than the cost being measured, and its speed
 * drifts (dense runs of 3.2–3.5 ms/step fell to 2.4–2.6 within a minute, measured), so each of
 * six rounds runs dense, masked, masked, dense, which puts a steady drift on both paths alike,
 * and the median of the rounds' ratios is kept. The fastest run of each path, taken before, gave
 * −10.8% once; nine pairs alternating which came first gave −0.8%, 3.2% and −4.8% in three runs.
 */
async function maskOverhead(data: (c: BenchCase) => TrainingData): Promise<OtherRow> {
  const dense: BenchCase = { model: 'mlp', dataset: 'fashion-mnist', batch: 128, method: 'dense', sparsity: 0, backend: 'wasm', steps: 40, warmup: 5 };
  const masked: BenchCase = { ...dense, method: 'static', sparsity: 0.9, compressed: false };
  const time = async (c: BenchCase): Promise<number> => summarise(await timeCase(c, data(c)), c.warmup).msPerStep;
  const rounds: Array<{ ratio: number; maskedMs: number }> = [];
  for (let round = 0; round < 6; round++) {
    const denseMs = await time(dense);
    const maskedMs = (await time(masked)) + (await time(masked));
    const bothDenseMs = denseMs + (await time(dense));
    rounds.push({ ratio: maskedMs / bothDenseMs, maskedMs: maskedMs / 2 });
  }
  rounds.sort((a, b) => a.ratio - b.ratio);
  const [low, high] = [rounds[2]!, rounds[3]!];
  return {
    kind: 'mask',
    model: 'mlp',
    method: 'static',
    backend: 'wasm',
    sparsity: 0.9,
    batch: 128,
    msPerStep: (low.maskedMs + high.maskedMs) / 2,
    detail: 'mask overhead on wasm (static 90% masked dense vs dense, mlp, median of 6 ABBA rounds)',
    value: (low.ratio + high.ratio) / 2 - 1,
    unit: 'share',
  };
}

/**
 * What RigL's mask updates cost at the defaults (ΔT = 100, updates until 75% of training): the
 * MLP at 90% for one epoch of all of Fashion-MNIST, evaluated on the test set as a run is, three
 * times in one process as a run's updates follow one another. Two rows: the share of the whole
 * run's time the updates add to ordinary steps (median of the three runs; a run also has steps
 * without updates and its evaluations), and each update's extra time against the 100 ordinary
 * steps it follows (median of the nine updates). The step table's per-update figure comes from
 * runs at ΔT = 10, whose update code the JIT has seen ten times as often.
 */
async function updateCostInRuns(fashion: LoadedDataset): Promise<OtherRow[]> {
  const data = prepareTrainingData(fashion, { validationFraction: 0, seed: 0 });
  const input = { dataset: 'fashion-mnist', model: 'mlp', method: 'rigl', sparsity: 0.9, batchSize: 128, backend: 'wasm' } as const;
  const runs: Array<{ share: number; msPerStep: number }> = [];
  const updates: Array<{ cost: number; msPerStep: number }> = [];
  for (let round = 0; round < 3; round++) {
    const times = await timeSteps(input, data);
    const { msPerStep } = summarise(times, 5);
    const extras = [...times.updateSteps].map((t) => times.ms[t]! - msPerStep);
    runs.push({ share: extras.reduce((a, b) => a + b, 0) / times.totalMs, msPerStep });
    for (const extra of extras) updates.push({ cost: extra / (REFERENCE_DELTA_T * msPerStep), msPerStep });
  }
  const middle = runs.sort((a, b) => a.share - b.share)[1]!;
  const typical = updates.sort((a, b) => a.cost - b.cost)[updates.length >> 1]!;
  const row = { model: 'mlp', method: 'rigl', backend: 'wasm', sparsity: 0.9, batch: 128 };
  return [
    { kind: 'update-share', ...row, msPerStep: middle.msPerStep, detail: 'RigL updates in a whole run on wasm (mlp 90%, ΔT=100, 1 epoch + test)', value: middle.share, unit: 'share' },
    { kind: 'update-each', ...row, msPerStep: typical.msPerStep, detail: `one RigL update in those runs vs ${REFERENCE_DELTA_T} steps (median of ${updates.length})`, value: typical.cost, unit: 'share' },
  ];
}

/**
 * The time a RigL MLP run spends inside the store's Recorder (buffering rows and writing them in
 * batches) as a share of the run, logging every step (the runner logs every 50 by default).
 * Timed directly rather than as a difference of two runs: the machine is shared, and two runs
 * differ by more than the cost being measured.
 */
async function recordingOverhead(fashion: LoadedDataset, dataDir: string): Promise<OtherRow> {
  const c: BenchCase = { model: 'mlp', dataset: 'fashion-mnist', batch: 128, method: 'rigl', sparsity: 0.9, backend: 'wasm', steps: 80, warmup: 5, deltaT: 20 };
  const data = prepareTrainingData(fashion, { validationFraction: 0, seed: 0, trainSubset: c.steps * c.batch, testSubset: c.batch });
  const store = openStore(join(dataDir, 'bench.sqlite'));
  try {
    // Writes happen when rows pile up or at the end, inside the timed calls (no timer flushes).
    const recorder = store.openRecorder(store.createRun(resolveRunConfig(runInput(c))), { maxDelayMs: 3_600_000 });
    const times = await timeSteps(runInput(c), data, recorder);
    recorder.close();
    return {
      kind: 'recording',
      model: c.model,
      method: c.method,
      backend: c.backend,
      sparsity: c.sparsity,
      batch: c.batch,
      msPerStep: summarise(times, c.warmup).msPerStep,
      detail: 'recording overhead on wasm (Recorder, every step logged)',
      value: times.recordingMs / times.totalMs,
      unit: 'share',
      recorderMsPerStep: times.recordingMs / times.ms.length,
    };
  } finally {
    store.close();
  }
}

/**
 * How often the machine stopped two threads that were running flat out (see interruptions.ts),
 * `when`: a shared machine's share drifts over minutes, so it is taken before and after the steps.
 */
async function machineInterruptions(when: string): Promise<OtherRow & { stopsPerMs: number; meanStopMs: number }> {
  const { lostShare, stopsPerMs, meanStopMs } = await threadInterruptions();
  return {
    kind: 'machine',
    ...NO_STEP,
    detail: `time two busy threads were stopped, ${when} (${fixed(stopsPerMs, 2)} stops/ms each, ${fixed(1000 * meanStopMs, 0)} µs on average)`,
    value: lostShare,
    unit: 'share',
    stopsPerMs,
    meanStopMs,
  };
}

/**
 * Mean time to make one training batch of 128 (normalise, optionally crop and flip): assembled on
 * the host and uploaded (what backends without our kernels do), and written on the wasm heap by
 * our kernel (what training on wasm does).
 */
async function batchAssembly(fashion: LoadedDataset, augment: boolean, where: 'host' | 'wasm'): Promise<OtherRow> {
  const options = { batchSize: 128, seed: 0, stats: { mean: [0.5], std: [0.25] }, augment };
  await selectBackend(where === 'wasm' ? 'wasm' : 'cpu');
  const input = new BatchInput(new TrainingBatches(fashion.train, options), fashion.train);
  const next = (): void => {
    const { x, y } = input.next();
    tf.dispose([x, y]);
  };
  for (let i = 0; i < 10; i++) next();
  const n = 200;
  const started = performance.now();
  for (let i = 0; i < n; i++) next();
  const ms = (performance.now() - started) / n;
  input.dispose();
  const detail = `batch of 128${augment ? ' with crop + flip' : ''}, ${where === 'wasm' ? 'written on the wasm heap' : 'made on the host and uploaded'}`;
  return { kind: 'input', ...NO_STEP, backend: where === 'wasm' ? 'wasm' : 'cpu', batch: 128, detail, value: ms, unit: 'ms' };
}

/**
 * PyTorch's step time for each dense wasm model of the run (same batch, threads as ours), and
 * each dense row's ratio to it.
 */
function nativeReference(cases: BenchCase[], steps: StepRow[]): { available: true; rows: ReferenceRow[] } | { available: false; reason: string } {
  const dense = cases.filter((c) => c.method === 'dense' && c.backend === 'wasm');
  if (dense.length === 0) return { available: false, reason: 'compared with wasm only, which was not timed' };
  const threads = steps.find((r) => r.backend === 'wasm')?.threads ?? 1;
  const reference: Reference = pytorchReference(
    dense.map((c) => ({ model: c.model, batch: c.batch, steps: c.steps - c.warmup, warmup: Math.max(5, c.warmup) })),
    threads,
  );
  if (!reference.available) return reference;
  const rows = reference.results.map(
    (r): ReferenceRow => ({
      kind: 'reference',
      model: r.model,
      method: 'dense',
      backend: 'pytorch-cpu',
      sparsity: 0,
      batch: r.batch,
      threads: r.threads,
      msPerStep: r.msPerStep,
      imagesPerSecond: (r.batch * 1000) / r.msPerStep,
      torch: r.torch,
    }),
  );
  for (const row of steps) {
    const native = rows.find((r) => r.model === row.model && r.batch === row.batch);
    if (native && row.method === 'dense') row.vsPytorch = row.msPerStep / native.msPerStep;
  }
  return { available: true, rows };
}

/** Above this share of time the machine stopped busy threads, its step times say more about the machine than the code. */
const LOADED_SHARE = 0.1;

function printTables(steps: StepRow[], reference: ReturnType<typeof nativeReference>, others: OtherRow[], backends: BenchBackends, quick: boolean): void {
  console.log(
    formatTable(
      ['model', 'method', 'path', 'backend', 'threads', 'sparsity', 'batch', 'ms/step', 'images/s', 'vs dense', 'update +ms', 'update cost @ΔT=100', 'tensors MB', 'peak MB'],
      steps.map((r) => [
        r.model,
        r.method,
        r.path,
        r.backend,
        String(r.threads),
        r.sparsity.toFixed(2),
        String(r.batch),
        fixed(r.msPerStep, 2),
        fixed(r.imagesPerSecond, 0),
        ratio(r.speedupOverDense),
        fixed(r.updateExtraMs),
        percent(r.updateCost),
        fixed(r.tensorBytes / 1e6, 2),
        fixed(r.peakBytes / 1e6, 1),
      ]),
    ),
  );
  console.log([...backends.devices].map(([name, device]) => `${name}: ${device}`).join('; '));
  for (const { name, reason } of backends.skipped) console.log(`${name}: not timed, ${reason}`);
  console.log(
    `vs dense: the dense row's ms/step over this row's with its mask updates spread over ΔT = ${REFERENCE_DELTA_T} steps (ms/step + update +ms / ${REFERENCE_DELTA_T}); ` +
      'update +ms: what an update step takes beyond an ordinary one, below 0 where it takes less (a RigL update replaces its step\'s optimizer step)',
  );
  console.log(
    'path: dense (every weight), masked-dense (dense weights times a 0/1 mask, as every public RigL does), compressed (only the active weights, on sparse kernels); ' +
      'tensors MB: what a run keeps between steps; peak MB: the most it holds at once over steps that include a mask update (training images left out)',
  );
  if (quick) {
    const fewest = steps.reduce((a, b) => (b.timedSteps < a.timedSteps ? b : a));
    console.log(`--quick times some models on few steps (${fewest.model} ${fewest.method} on ${fewest.timedSteps} a round): their ratios are rough; a full run times more`);
  }
  const stopped = Math.max(...others.filter((r) => r.kind === 'machine').map((r) => r.value));
  if (stopped > LOADED_SHARE) {
    console.log(`warning: the machine stopped busy threads for up to ${percent(stopped)} of their time (below): step times and ratios are unreliable; run again when it is quieter`);
  }
  console.log();
  if (reference.available) {
    console.log(
      formatTable(
        ['model', 'batch', 'PyTorch threads', 'PyTorch ms/step', 'wasm ms/step', 'wasm / PyTorch'],
        reference.rows.map((r) => {
          const ours = steps.find((s) => s.model === r.model && s.method === 'dense' && s.backend === 'wasm');
          return [r.model, String(r.batch), String(r.threads), fixed(r.msPerStep, 2), fixed(ours?.msPerStep ?? null, 2), ratio(ours?.vsPytorch ?? null)];
        }),
      ),
    );
    console.log(`(PyTorch ${reference.rows[0]?.torch ?? ''} on the CPU, same machine, timed after the step table: a change of the machine's load in between moves the ratio)`);
  } else {
    console.log(`native reference: ${reference.reason}`);
  }
  console.log();
  console.log(
    formatTable(
      ['measure', 'value'],
      others.map((r) => [r.detail, measureValue(r)]),
    ),
  );
}

/** A measure's value, with the step time a share was taken against (shares "of the run" are of its whole time, evaluation included). */
function measureValue(r: OtherRow): string {
  const steps = `steps of ${fixed(r.msPerStep, 2)} ms`;
  switch (r.kind) {
    case 'machine':
      return percent(r.value);
    case 'mask':
      return `${percent(r.value)} (masked dense ${steps})`;
    case 'update-share':
      return `${percent(r.value)} of the run (${steps})`;
    case 'update-each':
      return `${percent(r.value)} (+${fixed(r.msPerStep === null ? null : r.value * REFERENCE_DELTA_T * r.msPerStep, 2)} ms, ${steps})`;
    case 'recording':
      return `${percent(r.value)} of the run (${fixed(r.recorderMsPerStep ?? null, 2)} ms a step)`;
    case 'dataset':
    case 'input':
      return `${fixed(r.value, 2)} ms`;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
