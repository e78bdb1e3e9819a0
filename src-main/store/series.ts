import { z } from 'zod';
import {
  layerStatSchema,
  maskUpdateSchema,
  metricPointSchema,
  type LayerStatRecord,
  type MaskUpdateRecord,
  type MetricSeries,
} from '../../src-shared/api/records.js';
import { immediate, type StoreContext } from './context.js';
import { parseRow, selectList } from './rows.js';

export interface MetricQuery {
  /** Only these metrics; all of the run's when left out. */
  names?: readonly string[];
  /** At most this many points per metric (at least 2), evenly spaced and always keeping the first and last. */
  maxPoints?: number;
}

export interface RowsDeleted {
  metrics: number;
  layerStats: number;
  maskUpdates: number;
}

const LAYER_COLUMNS = selectList(layerStatSchema.shape);

/** Reads of what a run recorded over time, and the truncation that exact resume needs. */
export function seriesQueries(ctx: StoreContext) {
  const { db, file } = ctx;
  const names = db
    .prepare<[number], string>('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name')
    .pluck();
  const allPoints = db.prepare<[number, string], unknown>(
    'SELECT step, epoch, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step',
  );
  const pointCount = db
    .prepare<[number, string], number>('SELECT count(*) FROM metrics WHERE run_id = ? AND name = ?')
    .pluck();
  const everyNthPoint = db.prepare<{ runId: number; name: string; stride: number; last: number }, unknown>(
    `SELECT step, epoch, value FROM (
       SELECT step, epoch, value, row_number() OVER (ORDER BY step) - 1 AS i FROM metrics WHERE run_id = @runId AND name = @name)
     WHERE i % @stride = 0 OR i = @last
     ORDER BY step`,
  );
  // Ordered by each layer's first row, which the recorder wrote in model order.
  const latestLayers = db.prepare<[number, number], unknown>(
    `SELECT ${LAYER_COLUMNS} FROM layer_stats
     JOIN (SELECT layer AS latest_layer, max(step) AS latest_step, min(id) AS first_id
           FROM layer_stats WHERE run_id = ? GROUP BY layer)
       ON layer = latest_layer AND step = latest_step
     WHERE run_id = ? ORDER BY first_id`,
  );
  const layersOverTime = db.prepare<[number], unknown>(`SELECT ${LAYER_COLUMNS} FROM layer_stats WHERE run_id = ? ORDER BY step, id`);
  const oneLayerOverTime = db.prepare<[number, string], unknown>(
    `SELECT ${LAYER_COLUMNS} FROM layer_stats WHERE run_id = ? AND layer = ? ORDER BY step`,
  );
  const maskUpdates = db.prepare<[number], unknown>(
    `SELECT ${selectList(maskUpdateSchema.shape)} FROM mask_updates WHERE run_id = ? ORDER BY step, id`,
  );
  const deleteMetrics = db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?');
  const deleteLayers = db.prepare('DELETE FROM layer_stats WHERE run_id = ? AND step > ?');
  const deleteMasks = db.prepare('DELETE FROM mask_updates WHERE run_id = ? AND step > ?');

  /** Every stride-th point plus the last, with stride = ceil((n - 1) / (max - 1)): at most max points. */
  const sampledPoints = (runId: number, name: string, max: number): unknown[] => {
    const n = pointCount.get(runId, name) ?? 0;
    return everyNthPoint.all({ runId, name, stride: Math.max(1, Math.ceil((n - 1) / (max - 1))), last: n - 1 });
  };

  const parseAll = <S extends z.ZodType>(schema: S, rows: unknown[], what: string): Array<z.output<S>> =>
    parseRow(z.array(schema), rows, what, file);

  return {
    /** The names of the metrics a run recorded, sorted. */
    metricNames: (runId: number): string[] => names.all(runId),
    getMetrics(runId: number, query: MetricQuery = {}): MetricSeries[] {
      const max = query.maxPoints;
      if (max !== undefined && !(Number.isInteger(max) && max >= 2)) {
        throw new RangeError(`maxPoints: must be a whole number of at least 2, got ${max}`);
      }
      return (query.names ?? names.all(runId)).map((name) => {
        const rows = max === undefined ? allPoints.all(runId, name) : sampledPoints(runId, name, max);
        return { name, points: parseAll(metricPointSchema, rows, `metric ${name} of run ${runId}`) };
      });
    },
    /** Each layer's most recent stats, in the model's layer order. */
    latestLayerStats: (runId: number): LayerStatRecord[] =>
      parseAll(layerStatSchema, latestLayers.all(runId, runId), `layer stats of run ${runId}`),
    /** All recorded layer stats in step order, or one layer's. */
    layerStatsOverTime(runId: number, layer?: string): LayerStatRecord[] {
      const rows = layer === undefined ? layersOverTime.all(runId) : oneLayerOverTime.all(runId, layer);
      return parseAll(layerStatSchema, rows, `layer stats of run ${runId}`);
    },
    getMaskUpdates: (runId: number): MaskUpdateRecord[] =>
      parseAll(maskUpdateSchema, maskUpdates.all(runId), `mask updates of run ${runId}`),
    /**
     * For exact resume from a checkpoint at `step`: drops what was recorded after it, so the
     * replayed steps replace those rows instead of adding a second copy.
     */
    deleteRowsAfterStep: immediate(db, (runId: number, step: number): RowsDeleted => ({
      metrics: deleteMetrics.run(runId, step).changes,
      layerStats: deleteLayers.run(runId, step).changes,
      maskUpdates: deleteMasks.run(runId, step).changes,
    })),
  };
}
