import type { RunConfig } from '../config/run.js';
import { DROP_GROW_METHODS, METHOD_LABELS } from '../names.js';
import { planRun, type RunPlan } from '../plan.js';
import { maskUpdateCount } from '../sparsity/schedules.js';
import { comparableKey } from './comparable.js';
import { andList, count, shortPercent } from './format.js';

/**
 * What to say of drop/grow runs (SET, SNFS, RigL) too short to reach their first mask update: they
 * train their first mask throughout, as Static does, and a comparison of the two measures nothing.
 * One note per schedule, naming the methods it leaves without updates; none when all update.
 */
export function missingUpdateNotes(configs: readonly RunConfig[], plan: (config: RunConfig) => Pick<RunPlan, 'dropGrow' | 'totalSteps'> = planRun): string[] {
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
