import type { FinalMetrics, RunRecord } from '../../src-shared/api/records.js';
import { METRIC } from '../../src-shared/api/metrics.js';
import { planRun } from '../../src-shared/plan.js';
import type { StoreContext } from './context.js';

/**
 * What a run had measured when its process died without saying (a SIGKILL, a power cut), read
 * back from what it recorded: its last epoch's test and validation figures, the FLOPs it had
 * trained by its last logged step, and the network as its last layer densities give it. A run
 * stopped any other way reports these itself.
 */
export function recordedResultsQuery({ db }: StoreContext): (run: RunRecord) => Partial<FinalMetrics> {
  const last = db
    .prepare<[number, string], number | null>('SELECT value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1')
    .pluck();
  const best = db.prepare<[number, string], number | null>('SELECT max(value) FROM metrics WHERE run_id = ? AND name = ?').pluck();
  const network = db.prepare<[number, number], { flops: number | null; active: number | null; params: number | null }>(
    `SELECT sum(flops) AS flops, sum(active) AS active, sum(params) AS params FROM layer_stats
     WHERE run_id = ? AND step = (SELECT max(step) FROM layer_stats WHERE run_id = ?)`,
  );
  return (run) => {
    const value = (name: string): number | null => last.get(run.id, name) ?? null;
    const results: Partial<FinalMetrics> = {
      testAccuracy: value(METRIC.testAccuracy),
      bestTestAccuracy: best.get(run.id, METRIC.testAccuracy) ?? null,
      valAccuracy: value(METRIC.valAccuracy),
      testLoss: value(METRIC.testLoss),
      trainFlops: value(METRIC.trainFlops),
    };
    const layers = network.get(run.id, run.id);
    if (!layers || layers.flops === null || layers.active === null || !layers.params) return results;
    const plan = planRun(run.config);
    return {
      ...results,
      inferenceFlops: layers.flops,
      inferenceFlopsRatio: layers.flops / plan.flops.referenceForward,
      finalSparsity: 1 - layers.active / layers.params,
      parameters: plan.parameters,
    };
  };
}
