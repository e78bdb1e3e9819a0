import type { RunConfig } from '../config/run.js';
import { DROP_GROW_METHODS, METHOD_LABELS } from '../names.js';
import { planRun, type RunPlan } from '../plan.js';
import { maskUpdateCount } from '../sparsity/schedules.js';
import { comparableKey } from './comparable.js';
import { andList, count, shortPercent } from './format.js';

type SchedulePlan = Pick<RunPlan, 'dropGrow' | 'pruning' | 'totalSteps'>;

/**
 * What to say of drop/grow runs (SET, SNFS, RigL) too short to reach their first mask update: they
 * train their first mask throughout, as Static does, and a comparison of the two measures nothing.
 * One note per schedule, naming the methods it leaves without updates; none when all update.
 */
export function missingUpdateNotes(configs: readonly RunConfig[], plan: (config: RunConfig) => SchedulePlan = planRun): string[] {
  const distinct = new Map(configs.filter((c) => DROP_GROW_METHODS.includes(c.method)).map((c) => [comparableKey(c), c]));
  const methods = new Map<string, Set<string>>();
  for (const config of distinct.values()) {
    const { dropGrow: s, totalSteps } = plan(config);
    if (s === null || maskUpdateCount(s) > 0) continue;
    const why =
      `updates stop at step ${count(s.endStep)} (${shortPercent(config.maskUpdate.endFraction)} of ${count(totalSteps)} steps), ` +
      `before the first at ΔT = ${s.deltaT}`;
    methods.set(why, (methods.get(why) ?? new Set()).add(METHOD_LABELS[config.method]));
  }
  return [...methods].map(([why, names]) => {
    return `${andList([...names])} ${names.size === 1 ? 'makes' : 'make'} no mask update: ${why}, so ${names.size === 1 ? 'it trains its' : 'they train their'} first mask throughout, as Static does. Lower ΔT, raise T_end or train longer.`;
  });
}

/**
 * What to say of gradual pruning runs whose window is shorter than their pruning frequency: the
 * only event that prunes is the last, which takes every layer to its final sparsity at once
 * (one-shot pruning, not the gradual schedule asked for). One note per schedule.
 */
export function oneShotPruningNotes(configs: readonly RunConfig[], plan: (config: RunConfig) => SchedulePlan = planRun): string[] {
  const distinct = new Map(configs.filter((c) => c.method === 'pruning').map((c) => [comparableKey(c), c]));
  const notes = new Set<string>();
  for (const config of distinct.values()) {
    const { pruning: s, totalSteps } = plan(config);
    if (s === null || s.endStep - s.startStep > s.frequency) continue;
    notes.add(
      `Pruning prunes all at once: its events come every ${count(s.frequency)} steps from step ${count(s.startStep)} to step ${count(s.endStep)} ` +
        `(${shortPercent(config.pruning.startFraction)}–${shortPercent(config.pruning.endFraction)} of ${count(totalSteps)} steps), so only the one at step ${count(s.endStep)} prunes, ` +
        'taking each layer to its final sparsity in one go (one-shot, not gradual, pruning). Prune more often, widen the window or train longer.',
    );
  }
  return [...notes];
}

/** Every note on runs whose schedule does not do what their method is for (missingUpdateNotes, oneShotPruningNotes). */
export function scheduleNotes(configs: readonly RunConfig[], plan: (config: RunConfig) => SchedulePlan = planRun): string[] {
  return [...missingUpdateNotes(configs, plan), ...oneShotPruningNotes(configs, plan)];
}
