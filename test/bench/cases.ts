import type { BackendName, DatasetName, MethodName } from '../../src-shared/names.js';

export interface BenchCase {
  model: string;
  dataset: DatasetName;
  batch: number;
  method: MethodName;
  sparsity: number;
  backend: BackendName;
  /** Steps timed, warm-up included. */
  steps: number;
  warmup: number;
  /** ΔT of the run; the update cost is then scaled to ΔT = 100. */
  deltaT?: number;
  /**
   * false: sparse layers stay masked dense (to measure the mask overhead, and what compression
   * gains). Only wasm has the compressed kernels: elsewhere they are always masked dense.
   */
  compressed?: boolean;
}

/** ΔT the bound refers to: a RigL update should cost ≤ 2% of the training time at this spacing. */
export const REFERENCE_DELTA_T = 100;

const mlp = { model: 'mlp', dataset: 'fashion-mnist', batch: 128 } as const;
const lenet5 = { model: 'lenet5', dataset: 'fashion-mnist', batch: 128 } as const;
/** The LeNet-5 that the PyTorch time (5.3 ms) matches; ours is the Caffe one above. */
const lenet5Classic = { model: 'lenet5-classic', dataset: 'fashion-mnist', batch: 128 } as const;
const wrn = { model: 'wrn-10-2', dataset: 'cifar10', batch: 64 } as const;

/**
 * Each model dense, with a static mask (mask overhead) and with RigL, side by side, on each of
 * `backends`: on wasm both ways (compressed and masked dense) with more methods and sparsities in
 * the full run, on the CPU's pure JavaScript the MLP, and on tfjs-node(-gpu) every model dense
 * and with RigL (and the MLP static), masked dense as every run there trains.
 */
export function benchCases(quick: boolean, backends: readonly BackendName[]): BenchCase[] {
  return backends.flatMap((backend) => {
    switch (backend) {
      case 'wasm':
        return wasmCases(quick);
      case 'cpu':
        return cpuCases;
      case 'node-gpu':
      case 'node':
        return nativeCases(backend, quick);
    }
  });
}

function wasmCases(quick: boolean): BenchCase[] {
  const wasm = 'wasm' as const;
  const cases: BenchCase[] = [
    { ...mlp, method: 'dense', sparsity: 0, backend: wasm, steps: 60, warmup: 5 },
    { ...mlp, method: 'static', sparsity: 0.9, backend: wasm, steps: 60, warmup: 5, compressed: false },
    { ...mlp, method: 'static', sparsity: 0.9, backend: wasm, steps: 60, warmup: 5 },
    { ...mlp, method: 'rigl', sparsity: 0.9, backend: wasm, steps: 240, warmup: 5, deltaT: 10 },
    { ...lenet5, method: 'dense', sparsity: 0, backend: wasm, steps: quick ? 20 : 40, warmup: 3 },
    { ...lenet5, method: 'rigl', sparsity: 0.9, backend: wasm, steps: quick ? 40 : 80, warmup: 3, deltaT: 10 },
    { ...lenet5Classic, method: 'dense', sparsity: 0, backend: wasm, steps: quick ? 30 : 60, warmup: 3 },
    { ...lenet5Classic, method: 'rigl', sparsity: 0.9, backend: wasm, steps: quick ? 40 : 120, warmup: 3, deltaT: 10 },
    { ...wrn, method: 'dense', sparsity: 0, backend: wasm, steps: quick ? 6 : 20, warmup: 2 },
    { ...wrn, method: 'rigl', sparsity: 0.9, backend: wasm, steps: quick ? 10 : 30, warmup: 2, deltaT: 5 },
  ];
  if (quick) return cases;
  return [
    ...cases,
    { ...mlp, method: 'rigl', sparsity: 0.98, backend: wasm, steps: 120, warmup: 5, deltaT: 20 },
    { ...mlp, method: 'set', sparsity: 0.9, backend: wasm, steps: 120, warmup: 5, deltaT: 20 },
    { ...mlp, method: 'snfs', sparsity: 0.9, backend: wasm, steps: 120, warmup: 5, deltaT: 20 },
    { ...lenet5, method: 'static', sparsity: 0.9, backend: wasm, steps: 40, warmup: 3, compressed: false },
    { ...lenet5, method: 'static', sparsity: 0.9, backend: wasm, steps: 40, warmup: 3 },
    { ...wrn, method: 'static', sparsity: 0.9, backend: wasm, steps: 20, warmup: 2, compressed: false },
  ];
}

const cpuCases: BenchCase[] = [
  { ...mlp, method: 'dense', sparsity: 0, backend: 'cpu', steps: 30, warmup: 3 },
  { ...mlp, method: 'static', sparsity: 0.9, backend: 'cpu', steps: 30, warmup: 3, compressed: false },
  { ...mlp, method: 'rigl', sparsity: 0.9, backend: 'cpu', steps: 60, warmup: 3, deltaT: 20 },
];

/**
 * A GPU's first steps build its kernels (and cuDNN tries algorithms), hence the longer warm-up;
 * tfjs-node on a CPU takes seconds a step of WRN, hence the fewer steps of a quick run.
 */
function nativeCases(backend: 'node-gpu' | 'node', quick: boolean): BenchCase[] {
  const warmup = quick ? 5 : 10;
  const steps = (n: number) => (quick ? Math.ceil(n / 3) + warmup : n + warmup);
  return [
    { ...mlp, method: 'dense', sparsity: 0, backend, steps: steps(50), warmup },
    { ...mlp, method: 'static', sparsity: 0.9, backend, steps: steps(50), warmup },
    { ...mlp, method: 'rigl', sparsity: 0.9, backend, steps: steps(100), warmup, deltaT: 10 },
    ...[lenet5, lenet5Classic, wrn].flatMap((model): BenchCase[] => [
      { ...model, method: 'dense', sparsity: 0, backend, steps: steps(30), warmup },
      { ...model, method: 'rigl', sparsity: 0.9, backend, steps: steps(50), warmup, deltaT: 10 },
    ]),
  ];
}
