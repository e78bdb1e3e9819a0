import { finalMetricsSchema, type FinalMetrics, type RunRecord, type RunStatus } from '../../src-shared/api/records.js';
import { trainFlopsRatio } from '../../src-shared/plan.js';
import { parseWith } from '../../src-shared/config/run.js';
import { immediate, isoTime, type StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { columnName } from './rows.js';
import type { RunReader } from './run-row.js';
import { canMove } from './run-status.js';
import { sharedSeconds, type Span } from './shared-time.js';
import { END_OF_QUEUE } from './runs.js';
import { recordedAccuracyQuery, recordedResultsQuery, type RecordedAccuracy } from './recorded-results.js';
import type { seriesQueries } from './series.js';

export interface StatusDetails {
  /** Why a run failed, was cancelled or stopped. */
  error?: string;
  /** The step at which the loss became non-finite. */
  divergedStep?: number;
  /** Queued for this process alone (see runInserter). */
  held?: boolean;
  /** What a run that stopped had measured so far (its last epoch's accuracy, the FLOPs it trained). */
  results?: Partial<FinalMetrics>;
}

const FINAL_FIELDS = Object.keys(finalMetricsSchema.shape) as Array<keyof FinalMetrics>;
const ACCURACY_FIELDS: Array<keyof RecordedAccuracy> = ['testAccuracy', 'bestTestAccuracy', 'valAccuracy', 'testLoss'];

/** Status changes and the queue. Every change re-reads the run under the write lock, so two processes cannot both claim one run. */
export function runLifecycle(ctx: StoreContext, runs: RunReader, series: Pick<ReturnType<typeof seriesQueries>, 'latestLayerStats'>) {
  const { db, file } = ctx;
  const update = db.prepare(
    `UPDATE runs SET status = @status, queue_position = @queuePosition, started_at = @startedAt, finished_at = @finishedAt,
       duration_s = @durationS, shared_s = @sharedS, error = @error, diverged_step = @divergedStep, owner_pid = @ownerPid,
       seen_at = CASE WHEN @status = 'running' THEN NULL ELSE seen_at END
     WHERE id = @id`,
  );
  const endOfQueue = db.prepare<[], number>(`SELECT ${END_OF_QUEUE}`).pluck();
  const queuedHolders = db.prepare<[], { id: number; ownerPid: number | null }>(
    "SELECT id, owner_pid AS ownerPid FROM runs WHERE status = 'queued' ORDER BY queue_position, id",
  );
  const setPosition = db.prepare('UPDATE runs SET queue_position = ? WHERE id = ?');
  const setHolder = db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?');
  // train_flops_ratio is written for SQL readers and older versions sharing the file; this one
  // works the ratio out from the training FLOPs when it reads a run (run-row.ts).
  const setFinal = db.prepare(
    `UPDATE runs SET ${[...FINAL_FIELDS, 'trainFlopsRatio'].map((f) => `${columnName(f)} = @${f}`).join(', ')} WHERE id = @id`,
  );
  const setAccuracy = db.prepare(
    `UPDATE runs SET ${ACCURACY_FIELDS.map((f) => `${columnName(f)} = @${f}`).join(', ')} WHERE id = @id AND status = 'running'`,
  );
  const recordedAccuracy = recordedAccuracyQuery(ctx);
  const restartSession = db.prepare("UPDATE runs SET started_at = ? WHERE id = ? AND status = 'running'");
  const runningOwners = db.prepare<[], { id: number; ownerPid: number | null; seenAt: string | null }>(
    "SELECT id, owner_pid AS ownerPid, seen_at AS seenAt FROM runs WHERE status = 'running' ORDER BY id",
  );
  const recordSession = db.prepare('INSERT INTO run_sessions (run_id, started_at, finished_at) VALUES (?, ?, ?)');
  // Other runs' sessions that may overlap [@start, @end]: finished ones, and those running now
  // (with the process that runs them and when it last recorded, since a crashed process leaves
  // its run marked running).
  const otherSessions = db.prepare<
    { id: number; start: string; end: string },
    { startedAt: string; finishedAt: string | null; ownerPid: number | null; seenAt: string | null }
  >(
    `SELECT started_at AS startedAt, finished_at AS finishedAt, NULL AS ownerPid, NULL AS seenAt FROM run_sessions
     WHERE run_id != @id AND started_at < @end AND finished_at > @start
     UNION ALL
     SELECT started_at, NULL, owner_pid, seen_at FROM runs
     WHERE id != @id AND status = 'running' AND started_at IS NOT NULL AND started_at < @end`,
  );
  const keptSessions = db.prepare<[number], { id: number; startedAt: string; keptUntil: string }>(
    'SELECT id, started_at AS startedAt, COALESCE(kept_until, finished_at) AS keptUntil FROM run_sessions WHERE run_id = ? ORDER BY id',
  );
  const keepSessionUntil = db.prepare('UPDATE run_sessions SET kept_until = ? WHERE id = ?');
  const setTimes = db.prepare('UPDATE runs SET duration_s = ?, shared_s = ? WHERE id = ?');
  const recordedResults = recordedResultsQuery(ctx, series.latestLayerStats);

  /**
   * `sessionEnd` is where the session's time stops counting: the present, but for a session whose
   * process died (see markStaleRunningAsInterrupted).
   */
  function move(run: RunRecord, to: RunStatus, details: StatusDetails, sessionEnd?: number): void {
    if (!canMove(run.status, to)) throw new StoreError(`${file}: run ${run.id} is ${run.status} and cannot become ${to}`);
    const now = ctx.clock();
    const start = run.status === 'running' && run.startedAt !== null ? Date.parse(run.startedAt) : null;
    const end = Math.max(sessionEnd ?? now, start ?? -Infinity);
    const sessionSeconds = start === null ? null : (end - start) / 1000;
    const sharedS = start === null ? run.sharedS : addShared(run, sessionShared(run.id, start, end));
    if (start !== null) recordSession.run(run.id, run.startedAt, isoTime(end));
    update.run({
      id: run.id,
      status: to,
      queuePosition: to === 'queued' ? endOfQueue.get() : null,
      startedAt: to === 'running' ? isoTime(now) : run.startedAt,
      finishedAt: to === 'queued' || to === 'running' ? null : isoTime(now),
      durationS: sessionSeconds === null ? run.durationS : (run.durationS ?? 0) + sessionSeconds,
      sharedS,
      error: details.error ?? null,
      divergedStep: details.divergedStep ?? null,
      ownerPid: to === 'running' || (to === 'queued' && details.held === true) ? process.pid : null,
    });
  }

  /** Seconds of the session [start, end] during which other runs trained too. */
  function sessionShared(id: number, start: number, end: number): number {
    const others = otherSessions.all({ id, start: isoTime(start), end: isoTime(end) }).flatMap((o): Span[] => {
      if (o.finishedAt !== null) return [{ start: Date.parse(o.startedAt), end: Date.parse(o.finishedAt) }];
      // A session whose process died ran until it last wrote metrics or a checkpoint.
      const alive = o.ownerPid !== null && processIsAlive(o.ownerPid);
      const stoppedAt = alive ? end : o.seenAt === null ? null : Date.parse(o.seenAt);
      return stoppedAt === null ? [] : [{ start: Date.parse(o.startedAt), end: stoppedAt }];
    });
    return sharedSeconds({ start, end }, others);
  }

  /** Writes a run's measured results; fields left out are stored as null. */
  function setResults(run: RunRecord, results: Partial<FinalMetrics>): void {
    const ratio = trainFlopsRatio(results.trainFlops ?? null, run.config);
    setFinal.run({ id: run.id, ...Object.fromEntries(FINAL_FIELDS.map((f) => [f, results[f] ?? null])), trainFlopsRatio: ratio });
  }

  /** Moves a run to a new status with what it measured, if it says (see updateRunStatus). */
  function changeStatus(id: number, to: RunStatus, details: StatusDetails = {}): RunRecord {
    const results = details.results && parseWith(finalMetricsSchema.partial(), details.results, 'final metrics');
    const run = runs.require(id);
    move(run, to, details);
    // Queued again, a stopped run's results so far are no longer its results: the next session measures its own.
    if (results || to === 'queued') setResults(run, results ?? {});
    return runs.require(id);
  }

  return {
    /** Moves a run to a new status, stamping start/finish times and summing the running time. */
    updateRunStatus: immediate(db, changeStatus),
    /**
     * A running run's session starts now, its start-up (backend, data, warm-up) done: a run's time
     * is its training and evaluation, alike for the first run of a process that decodes the data and
     * starts the backend and for the runs after it, and for the app's workers that start afresh.
     */
    startSessionClock: (id: number): void => {
      restartSession.run(isoTime(ctx.clock()), id);
    },
    /**
     * A running run's accuracy so far, from the epochs it has recorded: what its page, the runs
     * list and `show` give while it trains. Its other results wait for its end.
     */
    recordAccuracySoFar: (id: number): void => {
      setAccuracy.run({ id, ...recordedAccuracy(id) });
    },
    /** Completes a running run with its final metrics; fields left out are stored as null. */
    finishRun: immediate(db, (id: number, final: Partial<FinalMetrics>): RunRecord => changeStatus(id, 'completed', { results: final })),
    /**
     * The first queued run in queue order that no live process holds (the app's queue never holds
     * runs), now running and owned by this process; undefined when there is none. Runs held by a
     * process that has gone are orphans, and taken.
     */
    claimNextQueuedRun: immediate(db, (isAlive: (pid: number) => boolean = processIsAlive): RunRecord | undefined => {
      const next = queuedHolders.all().find((q) => q.ownerPid === null || !isAlive(q.ownerPid));
      if (next === undefined) return undefined;
      move(runs.require(next.id), 'running', {});
      return runs.require(next.id);
    }),
    /**
     * Takes one particular queued run for this process (a CLI working through its own grid);
     * undefined when it is no longer queued because another process took it first.
     */
    claimQueuedRun: immediate(db, (id: number): RunRecord | undefined => {
      const run = runs.get(id);
      if (run?.status !== 'queued') return undefined;
      move(run, 'running', {});
      return runs.require(id);
    }),
    /**
     * Holds a queued run for this process (see runInserter), unless another live process holds
     * it; returns whether this process now holds it.
     */
    holdQueuedRun: immediate(db, (id: number, isAlive: (pid: number) => boolean = processIsAlive): boolean => {
      const run = runs.require(id);
      if (run.status !== 'queued') return false;
      if (run.ownerPid !== null && run.ownerPid !== process.pid && isAlive(run.ownerPid)) return false;
      setHolder.run(process.pid, id);
      return true;
    }),
    /** Moves a queued run to a 0-based position in the queue; returns the queue's run ids in their new order. */
    moveQueuedRun: immediate(db, (id: number, position: number): number[] => {
      const run = runs.require(id);
      if (run.status !== 'queued') throw new StoreError(`${file}: run ${id} is ${run.status}, not queued, so it has no place in the queue`);
      const order = queuedHolders.all().map((q) => q.id).filter((other) => other !== id);
      order.splice(Math.max(0, Math.min(Math.trunc(position), order.length)), 0, id);
      order.forEach((runId, index) => setPosition.run(index, runId));
      return order;
    }),
    /**
     * For start-up after a crash: runs marked running whose process is gone become interrupted.
     * Runs that another live process (a CLI run, a second window) is training are left alone, and
     * so are `own` runs, whose end the caller learns itself (a worker's exit gives its reason).
     * Returns the ids it changed.
     */
    markStaleRunningAsInterrupted: immediate(db, (own: ReadonlySet<number> = new Set(), isAlive: (pid: number) => boolean = processIsAlive): number[] => {
      const stale = runningOwners.all().filter((run) => !own.has(run.id) && ownerGone(run.ownerPid, isAlive));
      for (const { id, ownerPid, seenAt: seen } of stale) {
        const run = runs.require(id);
        // The process is gone, and when it died is unknown: the session counts until it last wrote metrics or a checkpoint.
        const end = seen ?? run.startedAt;
        const counted = seen !== null ? `this session counts until it last wrote metrics or a checkpoint, at ${seen}` : 'this session wrote no metrics or checkpoint, so its time is not counted';
        move(
          run,
          'interrupted',
          { error: `the process running it (pid ${ownerPid ?? 'unknown'}) stopped before the run ended; ${counted}` },
          end === null ? undefined : Date.parse(end),
        );
        setResults(run, recordedResults(run));
      }
      return stale.map((run) => run.id);
    }),
    /**
     * For a resume: it continues from a checkpoint written at `from` (null: it starts over) and
     * redoes what the run did after that, so that time leaves the run's duration and shared time,
     * which stay what the work kept took. Sessions keep their wall time, which other runs shared.
     * The shared time taken back is worked out from the store as it is now, which can differ a
     * little from what the session added when it ended (a run then counted as alive may since
     * have been found dead); both times stay within [0, the run's time].
     */
    discardTimeAfter: immediate(db, (id: number, from: string | null): void => {
      const run = runs.require(id);
      const cut = from === null ? -Infinity : Date.parse(from);
      let seconds = 0;
      let shared = 0;
      for (const session of keptSessions.all(id)) {
        const start = Date.parse(session.startedAt);
        const kept = Date.parse(session.keptUntil);
        const until = Math.max(start, Math.min(kept, cut));
        if (until >= kept) continue;
        seconds += (kept - until) / 1000;
        shared += sessionShared(id, until, kept);
        keepSessionUntil.run(isoTime(until), session.id);
      }
      if (seconds === 0 || run.durationS === null) return;
      const durationS = Math.max(0, run.durationS - seconds);
      setTimes.run(durationS, run.sharedS === null ? null : Math.min(durationS, Math.max(0, run.sharedS - shared)), id);
    }),
  };
}

/** Whether the process recorded as a running run's owner has gone (or none was recorded): the run will not end by itself. */
export function ownerGone(ownerPid: number | null, isAlive: (pid: number) => boolean = processIsAlive): boolean {
  return ownerPid === null || !isAlive(ownerPid);
}

/** Signal 0 tests for existence without delivering anything; EPERM means it exists under another user. */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run's shared seconds after one more session: unknown stays unknown where earlier sessions were not counted. */
function addShared(run: RunRecord, session: number): number | null {
  if (run.sharedS === null && run.durationS !== null) return null;
  return (run.sharedS ?? 0) + session;
}
