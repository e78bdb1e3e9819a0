import { z } from 'zod';
import type { RunRecord } from '../../src-shared/api/records.js';
import type { StoreContext } from './context.js';
import { toCsv, type CsvCell } from '../../src-shared/format/csv.js';
import { versionsText } from '../../src-shared/format/backend.js';
import { fieldApplies } from '../../src-shared/report/comparable.js';
import { parseRow } from './rows.js';
import type { RunReader } from './run-row.js';
import type { checkpointQueries } from './checkpoints.js';
import type { seriesQueries } from './series.js';

export type ExportFormat = 'json' | 'csv';

const metricRowSchema = z.object({ step: z.int(), epoch: z.number(), name: z.string(), value: z.number().nullable() });
type MetricRow = z.output<typeof metricRowSchema>;

/** The columns of the comparison table, one row per run. */
const SUMMARY_COLUMNS: ReadonlyArray<[string, (run: RunRecord) => CsvCell]> = [
  ['id', (r) => r.id],
  ['experiment_id', (r) => r.experimentId],
  ['name', (r) => r.name],
  ['status', (r) => r.status],
  ['dataset', (r) => r.config.dataset],
  ['model', (r) => r.config.model],
  ['method', (r) => r.config.method],
  // A dense run's config keeps the recipe's sparsity and distribution, which it does not read.
  ['sparsity', (r) => (fieldApplies('sparsity', r.config.method) ? r.config.sparsity : 0)],
  ['distribution', (r) => (fieldApplies('distribution', r.config.method) ? r.config.distribution : null)],
  ['seed', (r) => r.config.seed],
  ['epochs', (r) => r.config.epochs],
  ['training_multiplier', (r) => r.config.trainingMultiplier],
  ['backend', (r) => r.backend],
  ['device', (r) => r.device],
  ['versions', (r) => (r.backendVersions === null ? null : versionsText(r.backendVersions))],
  ['steps_done', (r) => r.stepsDone],
  ['total_steps', (r) => r.totalSteps],
  ['duration_s', (r) => r.durationS],
  ['test_accuracy', (r) => r.testAccuracy],
  ['best_test_accuracy', (r) => r.bestTestAccuracy],
  ['val_accuracy', (r) => r.valAccuracy],
  ['test_loss', (r) => r.testLoss],
  ['train_flops', (r) => r.trainFlops],
  ['train_flops_ratio', (r) => r.trainFlopsRatio],
  ['inference_flops', (r) => r.inferenceFlops],
  ['inference_flops_ratio', (r) => r.inferenceFlopsRatio],
  ['final_sparsity', (r) => r.finalSparsity],
  ['parameters', (r) => r.parameters],
  ['diverged_step', (r) => r.divergedStep],
  ['tags', (r) => r.tags.join(' ')],
  ['created_at', (r) => r.createdAt],
  ['finished_at', (r) => r.finishedAt],
];

export function exportQueries(
  ctx: StoreContext,
  runs: RunReader,
  series: ReturnType<typeof seriesQueries>,
  checkpoints: ReturnType<typeof checkpointQueries>,
) {
  const metricRows = ctx.db.prepare<[number], unknown>(
    'SELECT step, epoch, name, value FROM metrics WHERE run_id = ? ORDER BY step, name',
  );
  const readMetricRows = (runId: number): MetricRow[] =>
    parseRow(z.array(metricRowSchema), metricRows.all(runId), `metrics of run ${runId}`, ctx.file);

  return {
    /**
     * One run as a file's text. JSON: { run, metrics, layers, maskUpdates, checkpoints }, with
     * NaN values as null. CSV: the metrics in wide form, one line per step and one column per
     * metric (sorted by name), empty where a metric was not measured at that step.
     */
    exportRun(runId: number, format: ExportFormat): string {
      const run = runs.require(runId);
      const metrics = readMetricRows(runId);
      if (format === 'csv') return wideMetricsCsv(metrics);
      return JSON.stringify({
        run,
        metrics,
        layers: series.layerStatsOverTime(runId),
        maskUpdates: series.getMaskUpdates(runId),
        checkpoints: checkpoints.listCheckpoints(runId),
      });
    },
    /** Summary rows of several runs for comparison, in the order given. */
    exportRunsCsv(runIds: readonly number[]): string {
      return toCsv(
        SUMMARY_COLUMNS.map(([header]) => header),
        runIds.map((id) => {
          const run = runs.require(id);
          return SUMMARY_COLUMNS.map(([, value]) => value(run));
        }),
      );
    },
  };
}

function wideMetricsCsv(rows: readonly MetricRow[]): string {
  const names = [...new Set(rows.map((r) => r.name))].sort();
  const lines: CsvCell[][] = [];
  let line: CsvCell[] | undefined;
  for (const row of rows) {
    if (line === undefined || line[0] !== row.step) {
      line = [row.step, row.epoch, ...names.map(() => null)];
      lines.push(line);
    }
    // A recorded NaN (null) is written as NaN, unlike a metric not measured at that step.
    line[2 + names.indexOf(row.name)] = row.value ?? 'NaN';
  }
  return toCsv(['step', 'epoch', ...names], lines);
}
