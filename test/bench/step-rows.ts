import type { TrainingData } from '../../src-main/engine/data/split.js';
import { installedModules, type OptionalModules } from '../../src-main/engine/backend/optional-modules.js';
import { setCompression } from '../../src-main/engine/nn/compressed-weights.js';
import { REFERENCE_DELTA_T, type BenchCase } from './cases.js';
import { summarise } from './stats.js';
import { peakStepBytes, timeSteps, type StepTimes } from './step-timer.js';

/** Runs of every case, taken in turns with the model's other cases. */
const ROUNDS = 3;

export interface StepRow {
  kind: 'step';
  model: string;
  method: string;
  backend: string;
  /** Where the backend computed, as a run records it (e.g. "CPU (WebAssembly SIMD, 2 threads)"). */
  device: string;
  sparsity: number;
  batch: number;
  /** Threads the backend's kernels used. */
  threads: number;
  /**
   * How masked layers ran: on compressed weights where sparse enough (wasm only), or all masked
   * dense. SNFS never compresses (dense momentum).
   */
  path: 'dense' | 'compressed' | 'masked-dense';
  msPerStep: number;
  /** Steps timed in each round (after its warm-up steps): a few for the large models under --quick. */
  timedSteps: number;
  imagesPerSecond: number;
  /** Dense ms per step over this one's (RigL's includes its updates at ΔT = 100). */
  speedupOverDense: number | null;
  /** Extra time of one RigL/SET/SNFS update over ΔT = 100 ordinary steps. */
  updateCost: number | null;
  updateExtraMs: number | null;
  /** This step time over PyTorch's for the same dense model on this machine, when PyTorch is there. */
  vsPytorch: number | null;
  /** Tensor bytes alive between steps: weights, optimizer state, masks, compressed indices (see StepTimes). */
  tensorBytes: number;
  /** The most tensor bytes alive at once in a step, a mask update included (see peakStepBytes). */
  peakBytes: number;
}

export interface StepRowOptions {
  rounds?: number;
  /** Where the native backends are found. */
  modules?: OptionalModules;
  /** Called as each case's row is ready. */
  onRow?: (row: StepRow) => void;
}

/**
 * Times every case: after one untimed run per backend (the wasm heap grows, the JIT warms up, a
 * GPU builds its kernels), rounds over all the cases of a model, so that a model's dense and
 * sparse runs meet the same conditions (a shared machine's speed drifts over minutes), keeping the
 * fastest of each figure.
 */
export async function stepRows(cases: BenchCase[], data: (c: BenchCase) => TrainingData, options: StepRowOptions = {}): Promise<StepRow[]> {
  const { rounds = ROUNDS, modules = installedModules } = options;
  for (const backend of new Set(cases.map((c) => c.backend))) {
    const first = cases.find((c) => c.backend === backend)!;
    await timeCase(first, data(first), modules);
  }
  const runs = new Map<BenchCase, StepTimes[]>();
  for (const model of new Set(cases.map((c) => c.model))) {
    for (let round = 0; round < rounds; round++) {
      for (const c of cases.filter((k) => k.model === model)) runs.set(c, [...(runs.get(c) ?? []), await timeCase(c, data(c), modules)]);
    }
  }
  const rows: StepRow[] = [];
  for (const c of cases) {
    const caseRuns = runs.get(c)!;
    const summaries = caseRuns.map((times) => summarise(times, c.warmup));
    // The fastest of each figure: other jobs on a shared machine only ever add time.
    const msPerStep = Math.min(...summaries.map((r) => r.msPerStep));
    const extras = summaries.flatMap((r) => (r.updateExtraMs === null ? [] : [r.updateExtraMs]));
    const updateExtraMs = extras.length > 0 ? Math.min(...extras) : null;
    const row: StepRow = {
      kind: 'step',
      model: c.model,
      method: c.method,
      backend: c.backend,
      device: caseRuns[0]!.backendDevice,
      sparsity: c.sparsity,
      batch: c.batch,
      threads: caseRuns[0]!.threads,
      path: c.method === 'dense' ? 'dense' : c.compressed === false || c.method === 'snfs' || c.backend !== 'wasm' ? 'masked-dense' : 'compressed',
      msPerStep,
      timedSteps: c.steps - c.warmup,
      imagesPerSecond: (c.batch * 1000) / msPerStep,
      speedupOverDense: null,
      updateCost: updateExtraMs === null ? null : updateExtraMs / (REFERENCE_DELTA_T * msPerStep),
      updateExtraMs,
      vsPytorch: null,
      tensorBytes: caseRuns[0]!.tensorBytes,
      peakBytes: await withCompression(c, () => peakStepBytes(runInput(c), data(c), modules)),
    };
    const dense = rows.find((r) => r.model === c.model && r.backend === c.backend && r.method === 'dense');
    if (dense) {
      const amortised = msPerStep + (updateExtraMs ?? 0) / REFERENCE_DELTA_T;
      row.speedupOverDense = dense.msPerStep / amortised;
    }
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}

/** Times one run of a case, its sparse layers compressed or not as the case says. */
export function timeCase(c: BenchCase, data: TrainingData, modules: OptionalModules = installedModules): Promise<StepTimes> {
  return withCompression(c, () => timeSteps(runInput(c), data, null, modules));
}

async function withCompression<T>(c: BenchCase, f: () => Promise<T>): Promise<T> {
  setCompression(c.compressed !== false);
  try {
    return await f();
  } finally {
    setCompression(true);
  }
}

/** The run configuration of a case. */
export function runInput(c: BenchCase) {
  return {
    dataset: c.dataset,
    model: c.model,
    method: c.method,
    sparsity: c.method === 'dense' ? 0 : c.sparsity,
    batchSize: c.batch,
    backend: c.backend,
    trainSubset: c.steps * c.batch,
    testSubset: c.batch,
    ...(c.deltaT === undefined ? {} : { maskUpdate: { deltaT: c.deltaT } }),
  };
}
