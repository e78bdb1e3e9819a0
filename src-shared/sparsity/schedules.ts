/** Schedules of the sparse methods, as functions of the global optimizer step t. */

export type DropFractionSchedule = 'cosine' | 'constant';

export interface DropGrowSchedule {
  /** α, the initial drop fraction. */
  alpha: number;
  /** ΔT, steps between mask updates. */
  deltaT: number;
  /** Step after which the mask is frozen. */
  endStep: number;
  schedule: DropFractionSchedule;
}

/** f(t) = (α/2)·(1 + cos(π·t/T_end)), or α throughout for the constant schedule. */
export function dropFraction(t: number, s: DropGrowSchedule): number {
  if (s.schedule === 'constant') return s.alpha;
  return (s.alpha / 2) * (1 + Math.cos((Math.PI * t) / s.endStep));
}

/** How many mask updates a run makes: the steps t = ΔT, 2ΔT, … below T_end (see isMaskUpdateStep). */
export function maskUpdateCount(s: DropGrowSchedule): number {
  return s.endStep <= 1 ? 0 : Math.floor((s.endStep - 1) / s.deltaT);
}

/**
 * Whether RigL's mask updates are running at step t, for its FLOP count (spec §3): before T_end,
 * in a run that makes any (one whose T_end comes before the first ΔT trains as Static does).
 */
export function updatesRunning(t: number, s: DropGrowSchedule | null): boolean {
  return s !== null && t < s.endStep && maskUpdateCount(s) > 0;
}

/** Mask updates happen at t = ΔT, 2ΔT, … while t < T_end. */
export function isMaskUpdateStep(t: number, s: DropGrowSchedule): boolean {
  return t > 0 && t % s.deltaT === 0 && t < s.endStep;
}

/** k = ⌊f(t)·n_active⌋ connections dropped (and as many grown) in a layer. */
export function dropCount(t: number, activeWeights: number, s: DropGrowSchedule): number {
  return Math.floor(dropFraction(t, s) * activeWeights + 1e-9);
}

export interface PruningSchedule {
  /** t0, first pruning step. */
  startStep: number;
  /** t1, step at which the final sparsity is reached. */
  endStep: number;
  /** Δp, steps between pruning events. */
  frequency: number;
}

/**
 * Zhu & Gupta's cubic ramp s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(t1 − t0))³ with s_i = 0,
 * as the fraction of the final sparsity reached at step t (0 before t0, 1 from t1 on).
 */
export function pruningProgress(t: number, s: PruningSchedule): number {
  if (t <= s.startStep) return 0;
  if (t >= s.endStep) return 1;
  const remaining = 1 - (t - s.startStep) / (s.endStep - s.startStep);
  return 1 - remaining ** 3;
}

export function pruningSparsity(t: number, finalSparsity: number, s: PruningSchedule): number {
  return finalSparsity * pruningProgress(t, s);
}

/** Pruning events at t0, t0 + Δp, … up to t1, and at t1 itself so the final sparsity is reached. */
export function isPruningStep(t: number, s: PruningSchedule): boolean {
  if (t < s.startStep || t > s.endStep) return false;
  return (t - s.startStep) % s.frequency === 0 || t === s.endStep;
}

/**
 * Active weights a layer keeps at step t of gradual pruning: it starts dense (N) and reaches
 * `finalActive` at t1 along the cubic ramp.
 */
export function pruningActiveCount(t: number, params: number, finalActive: number, s: PruningSchedule): number {
  return params - Math.round(pruningProgress(t, s) * (params - finalActive));
}
