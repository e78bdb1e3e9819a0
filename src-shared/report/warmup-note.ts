import type { RunConfig } from '../config/run.js';
import { planRun, type RunPlan } from '../plan.js';
import { count } from './format.js';

/**
 * What to say of runs whose learning-rate warm-up takes their whole length (a recipe's warm-up
 * kept for a short trial run): the rate rises from near 0 throughout, so they end far from
 * trained. One note per warm-up and run length; none when every run outlasts
 * its warm-up.
 */
export function longWarmupNotes(configs: readonly RunConfig[], plan: (config: RunConfig) => Pick<RunPlan, 'totalSteps'> = planRun): string[] {
  const notes = new Set<string>();
  for (const config of configs) {
    const { totalSteps } = plan(config);
    if (config.warmupSteps < totalSteps) continue;
    // The warm-up's rate at step t is lr·(t + 1)/warmup: the last step's is the highest the run sees.
    const highest = Number(((config.optimizer.lr * totalSteps) / config.warmupSteps).toPrecision(3));
    notes.add(
      `A warm-up of ${count(config.warmupSteps)} steps takes the whole run (${count(totalSteps)} steps): the learning rate rises from near 0 throughout, ` +
        `reaching ${highest} (of ${config.optimizer.lr}) only at the last step. Lower the warm-up or train longer.`,
    );
  }
  return [...notes];
}
