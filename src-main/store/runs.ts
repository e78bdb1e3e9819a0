import { z } from 'zod';
import { parseWith, runConfigSchema, type RunConfig } from '../../src-shared/config/run.js';
import { backendNameSchema, backendVersionsSchema, runStatusSchema, tagsSchema, type RunRecord } from '../../src-shared/api/records.js';
import { runOrderSchema } from '../../src-shared/api/contract.js';
import type { BackendName } from '../../src-shared/names.js';
import { immediate, isoTime, type StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { defaultRunName } from './run-name.js';
import { parseRunRow, RUN_SELECT, type RunReader } from './run-row.js';

const RUN_ORDERS: Record<z.infer<typeof runOrderSchema>, string> = {
  newest: 'id DESC',
  oldest: 'id ASC',
  name: 'name COLLATE NOCASE, id',
  // Training runs head the queue, then the queued in their order, then the rest.
  queue: "CASE status WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, queue_position, id",
  testAccuracy: 'test_accuracy IS NULL, test_accuracy DESC, id',
};

export const runFilterSchema = z.strictObject({
  /** Only these runs. */
  ids: z.array(z.int()).max(5000).optional(),
  status: z.union([runStatusSchema, z.array(runStatusSchema).min(1)]).optional(),
  /** null selects the one-off runs, which belong to no experiment. */
  experimentId: z.int().nullable().optional(),
  /** Matched, ignoring case, against name, notes, tags, method, model and dataset. */
  search: z.string().max(200).optional(),
});
export type RunFilter = z.infer<typeof runFilterSchema>;

export const runListQuerySchema = runFilterSchema.extend({
  limit: z.int().min(1).max(100_000).default(100),
  offset: z.int().min(0).default(0),
  orderBy: runOrderSchema.default('newest'),
});
export type RunListQuery = z.input<typeof runListQuerySchema>;

export interface BackendChoiceMade {
  backend: BackendName;
  reason: string;
  device: string;
  versions: Record<string, string>;
}

/** The queue position after the last queued run, as an SQL expression. */
export const END_OF_QUEUE = "(SELECT coalesce(max(queue_position), -1) + 1 FROM runs WHERE status = 'queued')";

/**
 * Inserts a queued run at the end of the queue; callers run it inside their transaction. A run
 * `held` is queued for this process alone (a CLI working through its grid): another process's
 * queue leaves it while this process lives.
 */
export function runInserter(ctx: StoreContext) {
  const insert = ctx.db.prepare(
    `INSERT INTO runs (experiment_id, name, config, status, queue_position, created_at, owner_pid)
     VALUES (?, ?, ?, 'queued', ${END_OF_QUEUE}, ?, ?)`,
  );
  return (config: RunConfig, experimentId: number | null, name: string | undefined, held = false): number => {
    const checked = parseWith(runConfigSchema, config, 'config');
    const result = insert.run(experimentId, name ?? defaultRunName(checked), JSON.stringify(checked), isoTime(ctx.clock()), held ? process.pid : null);
    return Number(result.lastInsertRowid);
  };
}

export function runQueries(ctx: StoreContext, runs: RunReader) {
  const { db, file } = ctx;
  const insertRun = runInserter(ctx);
  const setTags = db.prepare('UPDATE runs SET tags = ? WHERE id = ?');
  const createRun = immediate(db, (config: RunConfig, options: { experimentId?: number; name?: string; held?: boolean; tags?: readonly string[] } = {}) => {
    const id = insertRun(config, options.experimentId ?? null, options.name, options.held);
    if (options.tags !== undefined && options.tags.length > 0) setTags.run(JSON.stringify(parseWith(tagsSchema, options.tags, 'tags')), id);
    return id;
  });
  const setBackend = db.prepare('UPDATE runs SET backend = ?, backend_reason = ?, device = ?, backend_versions = ? WHERE id = ?');
  const setProgress = db.prepare('UPDATE runs SET steps_done = ?, total_steps = coalesce(?, total_steps) WHERE id = ?');
  const setNotes = db.prepare('UPDATE runs SET notes = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM runs WHERE id = ?');

  const expectChanged = (changes: number, id: number): void => {
    if (changes === 0) throw new StoreError(`${file}: run ${id} does not exist`);
  };

  function where(filter: RunFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.ids !== undefined) {
      clauses.push(`id IN (${filter.ids.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...filter.ids);
    }
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      clauses.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.experimentId === null) clauses.push('experiment_id IS NULL');
    else if (filter.experimentId !== undefined) {
      clauses.push('experiment_id = ?');
      params.push(filter.experimentId);
    }
    // Each word, or "quoted phrase", must be found in one of the fields, in any order ("pruning 90"
    // finds "Pruning ERK 90%"; '"seed 9"' only names with those words together).
    const words = [...(filter.search ?? '').matchAll(/"([^"]+)"|(\S+)/g)].map((m) => (m[1] ?? m[2])!.trim()).filter((w) => w !== '');
    const experiment = (column: string) => `(SELECT ${column} FROM experiments e WHERE e.id = runs.experiment_id)`;
    const fields = ['name', 'notes', 'tags', experiment('name'), experiment('tags'), "config ->> '$.method'", "config ->> '$.model'", "config ->> '$.dataset'"];
    for (const word of words) {
      const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push(`(${fields.map((f) => `${f} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
      params.push(...fields.map(() => pattern));
    }
    return { sql: clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : '', params };
  }

  return {
    /** Adds a queued run at the end of the queue; returns its id. */
    createRun,
    getRun: (id: number): RunRecord | undefined => runs.get(id),
    listRuns(query: RunListQuery = {}): RunRecord[] {
      const q = parseWith(runListQuerySchema, query, 'listRuns');
      const { sql, params } = where(q);
      return db
        .prepare<unknown[], { id: number }>(`${RUN_SELECT}${sql} ORDER BY ${RUN_ORDERS[q.orderBy]} LIMIT ? OFFSET ?`)
        .all(...params, q.limit, q.offset)
        .map((row) => parseRunRow(row, file));
    },
    countRuns(filter: RunFilter = {}): number {
      const { sql, params } = where(parseWith(runFilterSchema, filter, 'countRuns'));
      return db.prepare<unknown[], number>(`SELECT count(*) FROM runs${sql}`).pluck().get(...params) ?? 0;
    },
    /** Records the backend the run actually got, why (e.g. fell back from node-gpu) and its versions. */
    setRunBackend(id: number, choice: BackendChoiceMade): void {
      const backend = parseWith(backendNameSchema, choice.backend, 'backend');
      const versions = parseWith(backendVersionsSchema, choice.versions, 'versions');
      expectChanged(setBackend.run(backend, choice.reason, choice.device, JSON.stringify(versions), id).changes, id);
    },
    setRunProgress(id: number, stepsDone: number, totalSteps?: number): void {
      expectChanged(setProgress.run(stepsDone, totalSteps ?? null, id).changes, id);
    },
    setRunTags(id: number, tags: readonly string[]): void {
      const checked = parseWith(tagsSchema, tags, 'tags');
      expectChanged(setTags.run(JSON.stringify(checked), id).changes, id);
    },
    setRunNotes(id: number, notes: string): void {
      expectChanged(setNotes.run(notes, id).changes, id);
    },
    /** Deletes a run and, by cascade, all its rows. A running run must be stopped first. */
    deleteRun: immediate(db, (id: number): boolean => {
      const run = runs.get(id);
      if (run === undefined) return false;
      if (run.status === 'running') throw new StoreError(`${file}: run ${id} is running; stop it before deleting it`);
      return remove.run(id).changes > 0;
    }),
  };
}
