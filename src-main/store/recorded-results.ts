import type { FinalMetrics, LayerStatRecord, RunRecord } from '../../src-shared/api/records.js';
import { METRIC } from '../../src-shared/api/metrics.js';
import { finalNetwork, planRun } from '../../src-shared/plan.js';
import type { StoreContext } from './context.js';

/** A run's value of a metric at its last recorded step, or null. */
function lastMetricQuery(db: StoreContext['db']): (runId: number, name: string) => number | null {
  const statement = db
    .prepare<[number, string], number | null>('SELECT value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1')
    .pluck();
  return (runId, name) => statement.get(runId, name) ?? null;
}

/** The accuracy fields of a run's results. */
export type RecordedAccuracy = Pick<FinalMetrics, 'testAccuracy' | 'bestTestAccuracy' | 'valAccuracy' | 'testLoss'>;

/** A run's accuracy as its recorded epochs give it: the last epoch's test and validation figures, and the best test accuracy. */
export function recordedAccuracyQuery({ db }: StoreContext): (runId: number) => RecordedAccuracy {
  const last = lastMetricQuery(db);
  const best = db.prepare<[number, string], number | null>('SELECT max(value) FROM metrics WHERE run_id = ? AND name = ?').pluck();
  return (runId) => ({
    testAccuracy: last(runId, METRIC.testAccuracy),
    bestTestAccuracy: best.get(runId, METRIC.testAccuracy) ?? null,
    valAccuracy: last(runId, METRIC.valAccuracy),
    testLoss: last(runId, METRIC.testLoss),
  });
}

/**
 * What a run had measured when its process died without saying (a SIGKILL, a power cut), read
 * back from what it recorded: its accuracy (recordedAccuracyQuery), the FLOPs it had trained by
 * its last logged step, and the network as its last layer densities give it. A run stopped any
 * other way reports these itself.
 */
export function recordedResultsQuery(
  ctx: StoreContext,
  latestLayerStats: (runId: number) => LayerStatRecord[],
): (run: RunRecord) => Partial<FinalMetrics> {
  const accuracy = recordedAccuracyQuery(ctx);
  const last = lastMetricQuery(ctx.db);
  return (run) => {
    const results: Partial<FinalMetrics> = { ...accuracy(run.id), trainFlops: last(run.id, METRIC.trainFlops) };
    const layers = latestLayerStats(run.id);
    return layers.length === 0 ? results : { ...results, ...finalNetwork(layers, planRun(run.config)) };
  };
}
