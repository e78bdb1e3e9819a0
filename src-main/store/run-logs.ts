import { z } from 'zod';
import { LOG_LEVELS, runLogSchema, type RunLogRecord } from '../../src-shared/api/records.js';
import { isoTime, type StoreContext } from './context.js';
import { explainMissingRun, StoreError } from './errors.js';
import { parseRow, selectList } from './rows.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogQuery {
  /** Only entries after this id, for following a log as it grows. */
  afterId?: number;
  limit?: number;
  /** Only the newest this many (still in the order written): a long run's end, which a user looks for. */
  last?: number;
}

export function runLogQueries(ctx: StoreContext) {
  const { db, file } = ctx;
  const insert = db.prepare('INSERT INTO run_logs (run_id, time, level, message) VALUES (?, ?, ?, ?)');
  const select = db.prepare<[number, number, number], unknown>(
    `SELECT ${selectList(runLogSchema.shape)} FROM run_logs WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?`,
  );
  const selectLast = db.prepare<[number, number], unknown>(
    `SELECT * FROM (SELECT ${selectList(runLogSchema.shape)} FROM run_logs WHERE run_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
  );
  const count = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM run_logs WHERE run_id = ?');
  return {
    appendRunLog(runId: number, level: LogLevel, message: string): number {
      if (!LOG_LEVELS.includes(level)) throw new StoreError(`${file}: log level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
      try {
        return Number(insert.run(runId, isoTime(ctx.clock()), level, message).lastInsertRowid);
      } catch (error) {
        throw explainMissingRun(error, file, runId);
      }
    },
    /** A run's log in the order it was written. */
    getRunLogs: (runId: number, query: LogQuery = {}): RunLogRecord[] =>
      parseRow(
        z.array(runLogSchema),
        query.last !== undefined ? selectLast.all(runId, query.last) : select.all(runId, query.afterId ?? 0, query.limit ?? -1),
        `log of run ${runId}`,
        file,
      ),
    countRunLogs: (runId: number): number => count.get(runId)!.n,
  };
}
