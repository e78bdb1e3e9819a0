import {
  experimentRecordSchema,
  RUN_STATUSES,
  tagsSchema,
  type ExperimentRecord,
  type ExperimentSummary,
  type RunStatus,
} from '../../src-shared/api/records.js';
import { experimentSpecSchema, type ExperimentSpec } from '../../src-shared/config/experiment.js';
import { parseWith, type RunConfig } from '../../src-shared/config/run.js';
import { varyingFields } from '../../src-shared/report/comparable.js';
import { immediate, isoTime, type StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { jsonText, parseRow, selectList } from './rows.js';
import { defaultRunName } from './run-name.js';
import { runInserter } from './runs.js';

/** A row of `experiments`: the shared record with its JSON columns still text. */
const experimentRowSchema = experimentRecordSchema.extend({ tags: jsonText(tagsSchema), spec: jsonText(experimentSpecSchema) });

export interface CreatedExperiment {
  experimentId: number;
  /** In the order of the run configs given. */
  runIds: number[];
}

const SELECT = `SELECT ${selectList(experimentRowSchema.shape)} FROM experiments`;

export function experimentQueries(ctx: StoreContext) {
  const { db, file } = ctx;
  const insertRun = runInserter(ctx);
  const insert = db.prepare(
    'INSERT INTO experiments (name, description, tags, preset, spec, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectOne = db.prepare<[number], { id: number }>(`${SELECT} WHERE id = ?`);
  const selectAll = db.prepare<[], { id: number }>(`${SELECT} ORDER BY id DESC`);
  const statusCounts = db.prepare<[], { experimentId: number; status: RunStatus; n: number }>(
    'SELECT experiment_id AS experimentId, status, count(*) AS n FROM runs WHERE experiment_id IS NOT NULL GROUP BY 1, 2',
  );
  const runningCount = db
    .prepare<[number], number>("SELECT count(*) FROM runs WHERE experiment_id = ? AND status = 'running'")
    .pluck();
  const remove = db.prepare('DELETE FROM experiments WHERE id = ?');

  const parse = (row: { id: number }): ExperimentRecord => parseRow(experimentRowSchema, row, `experiment ${row.id}`, file);

  return {
    /** Writes the experiment and all its queued runs in one transaction: all of them or none (`held`: see runInserter). */
    createExperiment: immediate(db, (spec: ExperimentSpec, runConfigs: readonly RunConfig[], options: { held?: boolean } = {}): CreatedExperiment => {
      const checked = parseWith(experimentSpecSchema, spec, 'experiment');
      const result = insert.run(
        checked.name,
        checked.description,
        JSON.stringify(checked.tags),
        checked.preset ?? null,
        JSON.stringify(checked),
        isoTime(ctx.clock()),
      );
      const experimentId = Number(result.lastInsertRowid);
      // Each run named by what sets it apart in this experiment, sweeps included.
      const varying = varyingFields(runConfigs);
      return { experimentId, runIds: runConfigs.map((config) => insertRun(config, experimentId, defaultRunName(config, varying), options.held)) };
    }),
    getExperiment(id: number): ExperimentRecord | undefined {
      const row = selectOne.get(id);
      return row === undefined ? undefined : parse(row);
    },
    /** Newest first, each with its runs counted by status. */
    listExperiments(): ExperimentSummary[] {
      const counts = new Map<number, Record<RunStatus, number>>();
      for (const { experimentId, status, n } of statusCounts.all()) {
        const perStatus = counts.get(experimentId) ?? zeroCounts();
        perStatus[status] = n;
        counts.set(experimentId, perStatus);
      }
      return selectAll.all().map((row) => {
        const experiment = parse(row);
        return { ...experiment, runCounts: counts.get(experiment.id) ?? zeroCounts() };
      });
    },
    /** Deletes the experiment, its runs and their rows. Refused while one of its runs is running. */
    deleteExperiment: immediate(db, (id: number): boolean => {
      if ((runningCount.get(id) ?? 0) > 0) {
        throw new StoreError(`${file}: experiment ${id} has a running run; stop it before deleting the experiment`);
      }
      return remove.run(id).changes > 0;
    }),
  };
}

function zeroCounts(): Record<RunStatus, number> {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
}
