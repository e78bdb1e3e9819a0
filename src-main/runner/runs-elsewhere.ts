import type { QueueState, RunProgress } from '../../src-shared/api/contract.js';
import { ownerGone, type LoggedStep, type RunningRow, type Store } from '../store/index.js';
import type { EmitEvent } from './queue.js';

interface Watched {
  ownerPid: number | null;
  /** The session being followed: a run resumed in between starts another. */
  startedAt: string | null;
  /** The newest logged step sent as progress (0: none yet). */
  step: number;
  /** steps_done as last read: the trainer moves it at each epoch's end. */
  stepsDone: number;
  progress: RunProgress | null;
}

/**
 * Runs another process trains on the same database: a `rigl-lab run` in a terminal, a second
 * window. Their progress goes to that process, not to this queue, so it is read back from what
 * they record (the run's row, and the metrics its recorder writes about once a second), and each
 * poll sends the events this process's own runs send: `run.progress` for every step logged since
 * the last poll, `run.epoch` when an epoch ended, and `run.status` with `runs.changed` when such
 * a run starts or stops, completed, cancelled or failed there.
 */
export class RunsElsewhere {
  private readonly watched = new Map<number, Watched>();

  constructor(
    private readonly store: Store,
    private readonly emit: EmitEvent,
  ) {}

  list(): QueueState['elsewhere'] {
    return [...this.watched].map(([runId, w]) => ({ runId, ownerPid: w.ownerPid, progress: w.progress }));
  }

  /**
   * Reads the store once; `ours` are the runs this process trains. Returns whether runs started
   * or stopped training elsewhere (the queue's state changed).
   */
  poll(ours: ReadonlySet<number>): boolean {
    let rows = this.store.runningRuns().filter((r) => !ours.has(r.id));
    // A process killed outright (kill -9, a crash) leaves its run marked running: found here as
    // at start-up, or the run would train forever on every page. The rows read decide first: the
    // marking takes a write lock, and this runs every second.
    const gone = rows.some((r) => ownerGone(r.ownerPid)) ? this.store.markStaleRunningAsInterrupted(ours) : [];
    if (gone.length > 0) rows = this.store.runningRuns().filter((r) => !ours.has(r.id));
    const now = new Set(rows.map((r) => r.id));
    const stopped = [...new Set([...this.watched.keys(), ...gone])].filter((id) => !now.has(id));
    for (const id of stopped) {
      this.watched.delete(id);
      const run = this.store.getRun(id);
      if (run) this.emit('run.status', { runId: id, status: run.status, error: run.error });
      this.emit('runs.changed', { runIds: [id] });
    }
    let started = false;
    for (const row of rows) {
      let watched = this.watched.get(row.id);
      if (watched === undefined) {
        started = true;
        this.emit('run.status', { runId: row.id, status: 'running', error: null });
        this.emit('runs.changed', { runIds: [row.id] });
      }
      if (watched?.startedAt !== row.startedAt) {
        // First seen (or a new session): its newest step only, not the history before it.
        watched = { ownerPid: row.ownerPid, startedAt: row.startedAt, step: 0, stepsDone: row.stepsDone, progress: null };
        this.watched.set(row.id, watched);
        const newest = this.store.newestLoggedStep(row.id);
        this.send(row, watched, newest ? [newest] : []);
      } else {
        this.send(row, watched, this.store.loggedStepsAfter(row.id, watched.step));
        this.epochEnded(row, watched);
      }
    }
    return started || stopped.length > 0;
  }

  private send(row: RunningRow, watched: Watched, steps: LoggedStep[]): void {
    // The trainer sets total_steps before its first step: without it, nothing was logged yet.
    if (row.totalSteps === null) return;
    // Time as the run's record counts it (every session, this one from its start to now), as the worker of a run of this queue reports it.
    const elapsedSeconds = (row.durationS ?? 0) + (row.startedAt === null ? 0 : Math.max(0, Date.now() - Date.parse(row.startedAt)) / 1000);
    for (const s of steps) {
      const progress: RunProgress = {
        runId: row.id,
        step: s.step,
        totalSteps: row.totalSteps,
        epoch: s.epoch,
        loss: s.loss,
        accuracy: s.accuracy,
        lr: s.lr,
        examplesPerSecond: s.examplesPerSecond,
        // At the run's pace so far: elapsed_s is the training time behind the steps it keeps (a resume's earlier sessions too).
        etaSeconds: s.elapsedS === null || s.step === 0 ? null : (s.elapsedS / s.step) * (row.totalSteps - s.step),
        elapsedSeconds,
      };
      watched.step = s.step;
      watched.progress = progress;
      this.emit('run.progress', progress);
    }
  }

  private epochEnded(row: RunningRow, watched: Watched): void {
    if (row.stepsDone === watched.stepsDone) return;
    watched.stepsDone = row.stepsDone;
    const end = this.store.epochEndedAt(row.id, row.stepsDone);
    if (end) this.emit('run.epoch', { runId: row.id, epoch: end.epoch, testAccuracy: end.testAccuracy });
  }
}
