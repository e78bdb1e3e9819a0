import type { LrSchedule } from '../config/run.js';

export interface LrPlan {
  base: number;
  schedule: LrSchedule;
  warmupSteps: number;
  totalSteps: number;
}

/** Learning rate used by the optimizer step at global step t (0-based). */
export function learningRate(t: number, plan: LrPlan): number {
  if (plan.warmupSteps > 0 && t < plan.warmupSteps) return (plan.base * (t + 1)) / plan.warmupSteps;
  switch (plan.schedule.kind) {
    case 'constant':
      return plan.base;
    case 'step':
      return plan.base * plan.schedule.gamma ** Math.floor(t / plan.schedule.everySteps);
    case 'cosine': {
      const span = Math.max(1, plan.totalSteps - plan.warmupSteps);
      const progress = Math.min(1, (t - plan.warmupSteps) / span);
      return (plan.base / 2) * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/**
 * The learning rate over a run as [step, rate] points, from its plan rather than from logged steps
 * (a run that logs every 50 steps of 42 logged one point): at most about `maxPoints` steps evenly
 * spread, with the steps on both sides of each change of the schedule's form (the end of the
 * warm-up, each drop of a step schedule) so that it is drawn where it happens. A point is placed
 * as logged metrics are, at the count of steps done: the rate of step t (0-based) at t + 1.
 */
export function learningRateCurve(plan: LrPlan, maxPoints = 1000): Array<[number, number]> {
  const last = plan.totalSteps - 1;
  if (last < 0) return [];
  const steps = new Set<number>();
  const every = Math.max(1, Math.ceil(plan.totalSteps / maxPoints));
  for (let t = 0; t <= last; t += every) steps.add(t);
  steps.add(last);
  const edges: number[] = [];
  if (plan.warmupSteps > 0) edges.push(plan.warmupSteps);
  if (plan.schedule.kind === 'step') for (let t = plan.schedule.everySteps; t <= last; t += plan.schedule.everySteps) edges.push(t);
  // A drop every few steps of a long run would outnumber the points asked for: then the samples stand alone.
  if (edges.length <= maxPoints) for (const t of edges) if (t <= last) steps.add(t - 1).add(t);
  return [...steps].sort((a, b) => a - b).map((t) => [t + 1, learningRate(t, plan)]);
}
