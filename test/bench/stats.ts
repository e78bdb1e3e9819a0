import type { StepTimes } from './step-timer.js';

export interface StepSummary {
  /** Median of the ordinary steps (no mask update), after the warm-up. */
  msPerStep: number;
  /** Median extra time of a mask-update step over an ordinary one, when the run had updates. */
  updateExtraMs: number | null;
}

/** Summarises step times, leaving out the first `warmup` steps (kernel set-up, heap growth). */
export function summarise(times: StepTimes, warmup: number): StepSummary {
  const ordinary = times.ms.filter((_, t) => t >= warmup && !times.updateSteps.has(t));
  if (ordinary.length === 0) throw new Error(`no ordinary steps after a warm-up of ${warmup}`);
  const msPerStep = median(ordinary);
  const updates = [...times.updateSteps].filter((t) => t >= warmup).map((t) => times.ms[t]!);
  const updateExtraMs = updates.length > 0 ? median(updates) - msPerStep : null;
  return { msPerStep, updateExtraMs };
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
