import { backendVersionsSchema, runRecordSchema, tagsSchema, type RunRecord } from '../../src-shared/api/records.js';
import { runConfigSchema } from '../../src-shared/config/run.js';
import { trainFlopsRatio } from '../../src-shared/plan.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { jsonText, parseRow, selectList } from './rows.js';

/**
 * A row of `runs`: the shared run record with its JSON columns still text, less the training FLOPs
 * ratio, which is worked out from the rest: older versions stored it against a dense run as long
 * as the run, not against the standard one.
 */
const runRowSchema = runRecordSchema
  .omit({ trainFlopsRatio: true })
  .extend({ config: jsonText(runConfigSchema), tags: jsonText(tagsSchema), backendVersions: jsonText(backendVersionsSchema).nullable() });

export const RUN_SELECT = `SELECT ${selectList(runRowSchema.shape)} FROM runs`;

export function parseRunRow(row: { id?: unknown }, file: string): RunRecord {
  const run = parseRow(runRowSchema, row, `run ${String(row.id)}`, file);
  return { ...run, trainFlopsRatio: trainFlopsRatio(run.trainFlops, run.config) };
}

/** Reads one run by id. */
export function runReader(ctx: StoreContext) {
  const select = ctx.db.prepare<[number], { id: number }>(`${RUN_SELECT} WHERE id = ?`);
  const get = (id: number): RunRecord | undefined => {
    const row = select.get(id);
    return row === undefined ? undefined : parseRunRow(row, ctx.file);
  };
  const require = (id: number): RunRecord => {
    const run = get(id);
    if (run === undefined) throw new StoreError(`${ctx.file}: run ${id} does not exist`);
    return run;
  };
  return { get, require };
}
export type RunReader = ReturnType<typeof runReader>;
