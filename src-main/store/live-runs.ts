import { z } from 'zod';
import { runProgressSchema } from '../../src-shared/api/contract.js';
import { METRIC } from '../../src-shared/api/metrics.js';
import { runRecordSchema } from '../../src-shared/api/records.js';
import type { StoreContext } from './context.js';
import { parseRow, selectList } from './rows.js';

/** A running run as another process's progress is read from it: the row's progress columns and sessions. */
const runningRowSchema = runRecordSchema.pick({ id: true, ownerPid: true, startedAt: true, durationS: true, stepsDone: true, totalSteps: true });
export type RunningRow = z.infer<typeof runningRowSchema>;

/** One logged training step, from the metrics the run's StoreObserver records at it (NaN is stored as NULL). */
const loggedStepSchema = runProgressSchema.pick({ step: true, epoch: true, loss: true, accuracy: true, lr: true, examplesPerSecond: true }).extend({
  /** NULL for steps an older version logged without it. */
  elapsedS: z.number().nullable(),
});
export type LoggedStep = z.infer<typeof loggedStepSchema>;

const epochEndSchema = z.object({ epoch: z.int(), testAccuracy: z.number().nullable() });

// One row per step: the recorder writes a step's metrics in one transaction, so a step is seen whole or not at all.
const STEP_COLUMNS = `step, max(epoch) AS epoch,
  max(CASE name WHEN '${METRIC.trainLoss}' THEN value END) AS loss,
  max(CASE name WHEN '${METRIC.trainAccuracy}' THEN value END) AS accuracy,
  max(CASE name WHEN '${METRIC.lr}' THEN value END) AS lr,
  max(CASE name WHEN '${METRIC.examplesPerSecond}' THEN value END) AS examplesPerSecond,
  max(CASE name WHEN '${METRIC.elapsedSeconds}' THEN value END) AS elapsedS`;
const STEP_NAMES = [METRIC.trainLoss, METRIC.trainAccuracy, METRIC.lr, METRIC.examplesPerSecond, METRIC.elapsedSeconds]
  .map((name) => `'${name}'`)
  .join(', ');

/**
 * What a run being trained records, read back while it trains: how a process learns the progress
 * of runs another process trains on the same file. Every query is a range of an index (runs by
 * status; metrics by run, name and step), cheap enough to poll every second.
 */
export function liveRunQueries(ctx: StoreContext) {
  const { db, file } = ctx;
  const running = db.prepare<[], unknown>(`SELECT ${selectList(runningRowSchema.shape)} FROM runs WHERE status = 'running' ORDER BY id`);
  const stepsAfter = db.prepare<{ runId: number; after: number }, unknown>(
    `SELECT ${STEP_COLUMNS} FROM metrics WHERE run_id = @runId AND name IN (${STEP_NAMES}) AND step > @after GROUP BY step ORDER BY step`,
  );
  const newestStep = db.prepare<{ runId: number }, unknown>(
    `SELECT ${STEP_COLUMNS} FROM metrics WHERE run_id = @runId AND name IN (${STEP_NAMES})
       AND step = (SELECT max(step) FROM metrics WHERE run_id = @runId AND name = '${METRIC.trainLoss}')
     GROUP BY step`,
  );
  const epochEnd = db.prepare<[number, number], unknown>(
    `SELECT epoch, value AS testAccuracy FROM metrics WHERE run_id = ? AND name = '${METRIC.testAccuracy}' AND step = ?`,
  );
  const steps = (rows: unknown[], runId: number): LoggedStep[] => parseRow(z.array(loggedStepSchema), rows, `logged steps of run ${runId}`, file);

  return {
    /** Every run marked running, by any process, with its owner and progress columns. */
    runningRuns: (): RunningRow[] => parseRow(z.array(runningRowSchema), running.all(), 'running runs', file),
    /** The run's logged steps after `after`, oldest first. */
    loggedStepsAfter: (runId: number, after: number): LoggedStep[] => steps(stepsAfter.all({ runId, after }), runId),
    /** The run's newest logged step, if it logged any. */
    newestLoggedStep: (runId: number): LoggedStep | undefined => steps(newestStep.all({ runId }), runId)[0],
    /** The epoch that ended at `step`, with its test accuracy; undefined when no epoch ended there. */
    epochEndedAt(runId: number, step: number): z.infer<typeof epochEndSchema> | undefined {
      const row = epochEnd.get(runId, step);
      return row === undefined ? undefined : parseRow(epochEndSchema, row, `epoch end of run ${runId} at step ${step}`, file);
    },
  };
}
