import type { MethodName } from '../names.js';

export interface FlopLayer {
  /** Dense forward FLOPs of one example through this layer. */
  flops: number;
}

/** f_D: dense forward FLOPs of one example over the masked layers. */
export function denseForwardFlops(layers: FlopLayer[]): number {
  return layers.reduce((sum, l) => sum + l.flops, 0);
}

/** f_S: forward FLOPs with each layer scaled by its density. */
export function sparseForwardFlops(layers: FlopLayer[], densities: number[]): number {
  return layers.reduce((sum, l, i) => sum + l.flops * (densities[i] ?? 1), 0);
}

export interface StepFlopsInput {
  method: MethodName;
  /** f_S at this step. */
  sparse: number;
  /** f_D. */
  dense: number;
  deltaT: number;
  /** RigL: whether mask updates still run (schedules.ts updatesRunning). */
  updatesRunning: boolean;
}

/**
 * Training FLOPs of one example at one step (spec §3): backward ≈ 2× forward; SNFS needs the
 * dense gradient every step, RigL only every ΔT steps.
 */
export function trainingFlopsPerExample(s: StepFlopsInput): number {
  switch (s.method) {
    case 'dense':
      return 3 * s.dense;
    case 'static':
    case 'set':
    case 'pruning':
      return 3 * s.sparse;
    case 'snfs':
      return 2 * s.sparse + s.dense;
    case 'rigl':
      return s.updatesRunning ? (3 * s.sparse * s.deltaT + 2 * s.sparse + s.dense) / (s.deltaT + 1) : 3 * s.sparse;
  }
}

/** "0.35×" style multiple of a dense reference. */
export function flopsRatio(flops: number, denseFlops: number): number {
  return denseFlops > 0 ? flops / denseFlops : 0;
}
