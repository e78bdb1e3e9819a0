import type { FinalMetrics, LayerStatRecord, RunRecord } from '../../src-shared/api/records.js';
import { METRIC } from '../../src-shared/api/metrics.js';
import { finalNetwork, planRun } from '../../src-shared/plan.js';
import type { StoreContext } from './context.js';

/**
 * What a run had measured when its process died without saying (a SIGKILL, a power cut), read
 * back from what it recorded: its last epoch's test and validation figures, the FLOPs it had
 * trained by its last logged step, and the network as its last layer densities give it. A run
 * stopped any other way reports these itself.
 */
export function recordedResultsQuery(
  { db }: StoreContext,
  latestLayerStats: (runId: number) => LayerStatRecord[],
): (run: RunRecord) => Partial<FinalMetrics> {
  const last = db
    .prepare<[number, string], number | null>('SELECT value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1')
    .pluck();
  const best = db.prepare<[number, string], number | null>('SELECT max(value) FROM metrics WHERE run_id = ? AND name = ?').pluck();
  return (run) => {
    const value = (name: string): number | null => last.get(run.id, name) ?? null;
    const results: Partial<FinalMetrics> = {
      testAccuracy: value(METRIC.testAccuracy),
      bestTestAccuracy: best.get(run.id, METRIC.testAccuracy) ?? null,
      valAccuracy: value(METRIC.valAccuracy),
      testLoss: value(METRIC.testLoss),
      trainFlops: value(METRIC.trainFlops),
    };
    const layers = latestLayerStats(run.id);
    return layers.length === 0 ? results : { ...results, ...finalNetwork(layers, planRun(run.config)) };
  };
}
