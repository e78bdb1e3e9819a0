import type { RunConfig } from '../../src-shared/config/run.js';
import { planRun, type RunPlan } from '../../src-shared/plan.js';
import { comparableKey } from '../../src-shared/report/comparable.js';

const MAX_CACHED_PLANS = 400;
const cache = new Map<string, RunPlan>();

/**
 * planRun with a cache: the preview recomputes on every edit, and a pruning plan walks every
 * step of training, so repeating it for each seed and keystroke would make typing lag.
 */
export function cachedPlan(config: RunConfig): RunPlan {
  const key = comparableKey(config);
  const hit = cache.get(key);
  if (hit) return hit;
  const plan = planRun(config);
  if (cache.size >= MAX_CACHED_PLANS) cache.clear();
  cache.set(key, plan);
  return plan;
}

/** One line of the preview table: the grid points that differ only in seed (a plan ignores the seed). */
export interface PreviewRow {
  key: string;
  config: RunConfig;
  runs: number;
  plan: RunPlan;
}

export function previewRows(runs: readonly RunConfig[]): PreviewRow[] {
  const rows = new Map<string, PreviewRow>();
  for (const config of runs) {
    const key = comparableKey(config);
    const row = rows.get(key);
    if (row) row.runs++;
    else rows.set(key, { key, config, runs: 1, plan: cachedPlan(config) });
  }
  return [...rows.values()];
}

/** Weights a run trains: every parameter of the model minus the masked-out kernel weights. */
export function activeParameters(plan: RunPlan): number {
  const masked = plan.allocation.reduce((a, l) => a + l.params, 0);
  const active = plan.allocation.reduce((a, l) => a + l.active, 0);
  return plan.parameters - masked + active;
}
