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

interface OtherRow {
  kind: 'recording' | 'dataset' | 'input' | 'mask' | 'update-share' | 'update-each' | 'machine';
  model: string;
  method: string;
  backend: string;
  sparsity: number;
  batch: number;
  msPerStep: number;
  detail: string;
  value: number;
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
      console.log(USAGE);
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
  const emit = (row: StepRow | ReferenceRow | OtherRow): void => {
    if (json) console.log(JSON.stringify(row));
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'rigl-lab-bench-'));
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
    for (const { name, reason } of backends.skipped) console.error(`not timing ${name}: ${reason}`);
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

    const others: OtherRow[] = [
      stoppedBefore,
      await machineInterruptions('after them'),
      await maskOverhead(data),
      ...(await updateCostInRuns(fashion)),
      await recordingOverhead(fashion, dataDir),
      { kind: 'dataset', model: '-', method: '-', backend: '-', sparsity: 0, batch: 0, msPerStep: 0, detail: 'Fashion-MNIST decode (gzip IDX) and cache', value: decodeMs },
      { kind: 'dataset', model: '-', method: '-', backend: '-', sparsity: 0, batch: 0, msPerStep: 0, detail: 'Fashion-MNIST load from cache', value: cachedMs },
      await batchAssembly(fashion, false, 'host'),
      await batchAssembly(fashion, true, 'host'),
      await batchAssembly(fashion, false, 'wasm'),
      await batchAssembly(fashion, true, 'wasm'),
    ];
    for (const row of others) emit(row);
    if (!json) printTables(steps, reference, others, backends);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
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
    detail: 'mask overhead (static 90% masked dense vs dense, mlp, median of 6 ABBA rounds)',
    value: (low.ratio + high.ratio) / 2 - 1,
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
    { kind: 'update-share', ...row, msPerStep: middle.msPerStep, detail: 'RigL updates in a whole run (mlp 90%, ΔT=100, 1 epoch + test)', value: middle.share },
    { kind: 'update-each', ...row, msPerStep: typical.msPerStep, detail: `one RigL update in those runs vs ${REFERENCE_DELTA_T} steps (median of ${updates.length})`, value: typical.cost },
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
    const steps = times.ms.length;
    return {
      kind: 'recording',
      model: c.model,
      method: c.method,
      backend: c.backend,
      sparsity: c.sparsity,
      batch: c.batch,
      msPerStep: times.recordingMs / steps,
      detail: 'recording overhead (Recorder, every step logged)',
      value: times.recordingMs / times.totalMs,
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
    model: '-',
    method: '-',
    backend: '-',
    sparsity: 0,
    batch: 0,
    msPerStep: 0,
    detail: `time two busy threads were stopped, ${when} (${fixed(stopsPerMs, 2)} stops/ms each, ${fixed(1000 * meanStopMs, 0)} µs on average)`,
    value: lostShare,
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
  return { kind: 'input', model: '-', method: '-', backend: where === 'wasm' ? 'wasm' : 'cpu', sparsity: 0, batch: 128, msPerStep: ms, detail, value: ms };
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

function printTables(steps: StepRow[], reference: ReturnType<typeof nativeReference>, others: OtherRow[], backends: BenchBackends): void {
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
        // A difference below the machine's noise can come out negative: shown as 0.
        fixed(r.updateExtraMs === null ? null : Math.max(0, r.updateExtraMs)),
        percent(r.updateCost === null ? null : Math.max(0, r.updateCost)),
        fixed(r.tensorBytes / 1e6, 2),
        fixed(r.peakBytes / 1e6, 1),
      ]),
    ),
  );
  console.log([...backends.devices].map(([name, device]) => `${name}: ${device}`).join('; '));
  for (const { name, reason } of backends.skipped) console.log(`${name}: not timed, ${reason}`);
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
    console.log(`(PyTorch ${reference.rows[0]?.torch ?? ''} on the CPU, same machine and run)`);
  } else {
    console.log(`native reference: ${reference.reason}`);
  }
  console.log();
  console.log(
    formatTable(
      ['measure', 'value'],
      others.map((r) => [
        r.detail,
        r.kind === 'machine'
          ? percent(r.value)
          : r.kind === 'update-each'
            ? `${percent(r.value)} (+${fixed(r.value * REFERENCE_DELTA_T * r.msPerStep, 2)} ms, ${fixed(r.msPerStep, 2)} ms/step)`
            : r.kind === 'recording' || r.kind === 'mask' || r.kind === 'update-share'
              ? `${percent(r.value)} (${fixed(r.msPerStep, 2)} ms/step)`
              : `${fixed(r.value, 2)} ms`,
      ]),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
