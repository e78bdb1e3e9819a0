import { z } from 'zod';
import { checkpointRecordSchema, type CheckpointRecord } from '../../src-shared/api/records.js';
import type { StoreContext } from './context.js';
import { parseRow, selectList } from './rows.js';

/** Checkpoints are written by the Recorder (so a checkpoint never precedes the rows before it); these read and prune them. */
export function checkpointQueries(ctx: StoreContext) {
  const { db, file } = ctx;
  const select = db.prepare<[number], unknown>(
    `SELECT ${selectList(checkpointRecordSchema.shape)} FROM checkpoints WHERE run_id = ? ORDER BY step`,
  );
  const remove = db.prepare('DELETE FROM checkpoints WHERE id = ?');
  return {
    /** A run's checkpoints in step order. */
    listCheckpoints: (runId: number): CheckpointRecord[] =>
      parseRow(z.array(checkpointRecordSchema), select.all(runId), `checkpoints of run ${runId}`, file),
    /** Forgets one checkpoint (after its file was removed to keep only the latest few). */
    deleteCheckpoint: (id: number): boolean => remove.run(id).changes > 0,
  };
}
