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
