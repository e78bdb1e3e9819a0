import type { ApiEvent, ApiEventPayload, QueueState, RunProgress } from '../../src-shared/api/contract.js';
import { defaultKernelThreads } from '../engine/kernels/kernel-runtime.js';
import type { Store } from '../store/index.js';
import { resumeNote } from './checkpoint-files.js';
import { RunsElsewhere } from './runs-elsewhere.js';
import type { WorkerExit, WorkerHandle, WorkerLauncher } from './launcher.js';
import { fromWorkerSchema, type ToWorker } from './worker-protocol.js';

/** How long a closing queue waits for its workers to stop after their current step and record their runs. */
const CLOSE_GRACE_MS = 5000;

/** How often the progress and status of runs other processes train are read (see RunsElsewhere): live, so more often than the queue looks for work. */
const WATCH_MS = 1000;

export type EmitEvent = <E extends ApiEvent>(event: E, payload: ApiEventPayload<E>) => void;

export interface RunQueueOptions {
  store: Store;
  dbPath: string;
  dataDir: string;
  launch: WorkerLauncher;
  emit: EmitEvent;
  concurrency: number;
  /** How often to look for runs queued by other processes. */
  pollMs?: number;
}

interface ActiveRun {
  worker: WorkerHandle;
  progress: RunProgress | null;
  finished: boolean;
  cancelled: boolean;
}

/**
 * Starts queued runs in worker processes, at most `concurrency` at a time, and turns what the
 * workers report into api events. A worker that dies without finishing its run leaves it
 * interrupted (killed by a signal: resumable) or failed (with the reason), and the queue goes on.
 */
export class RunQueue {
  private readonly active = new Map<number, ActiveRun>();
  private paused = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private concurrency: number;
  private readonly elsewhere: RunsElsewhere;
  private problem: string | null = null;

  constructor(private readonly options: RunQueueOptions) {
    this.concurrency = options.concurrency;
    this.elsewhere = new RunsElsewhere(options.store, options.emit);
  }

  /** Marks runs left running by a crashed process as interrupted, then starts the queue. */
  start(): number[] {
    const interrupted = this.options.store.markStaleRunningAsInterrupted();
    if (interrupted.length > 0) this.options.emit('runs.changed', { runIds: interrupted });
    this.timer = setInterval(() => this.guarded(() => this.pump()), this.options.pollMs ?? 3000);
    this.timer.unref();
    this.watchTimer = setInterval(() => this.guarded(() => this.watch()), WATCH_MS);
    this.watchTimer.unref();
    this.watch();
    this.pump();
    return interrupted;
  }

  state(): QueueState {
    return {
      paused: this.paused,
      concurrency: this.concurrency,
      active: [...this.active.entries()].map(([runId, a]) => ({ runId, progress: a.progress })),
      elsewhere: this.elsewhere.list(),
      queued: this.options.store.listRuns({ status: 'queued', orderBy: 'queue', limit: 100_000 }).map((r) => r.id),
      problem: this.problem,
    };
  }

  setConcurrency(n: number): void {
    this.concurrency = n;
    this.announce();
  }

  pause(): QueueState {
    this.paused = true;
    return this.announce();
  }

  resume(): QueueState {
    this.paused = false;
    this.pump();
    return this.announce();
  }

  /** Stops an active run after its current step, or takes a queued one off the queue. */
  cancel(runId: number): QueueState {
    const active = this.active.get(runId);
    if (active) {
      active.cancelled = true;
      this.post(active.worker, { type: 'cancel' });
    } else {
      const run = this.options.store.getRun(runId);
      if (!run) throw new Error(`run ${runId} does not exist`);
      if (run.status === 'running') {
        const owner = run.ownerPid === null ? 'another process' : `another process (pid ${run.ownerPid})`;
        throw new Error(`run ${runId} is trained by ${owner} on this database, not by this queue: stop it there (Ctrl-C in the terminal of its rigl-lab run, or Cancel in the window that trains it)`);
      }
      if (run.status !== 'queued') throw new Error(`run ${runId} is ${run.status}, not queued or running`);
      this.options.store.updateRunStatus(runId, 'cancelled', { error: 'cancelled before it started' });
      this.status(runId, 'cancelled', 'cancelled before it started');
    }
    return this.announce();
  }

  /** A stopped run goes back to the queue; a completed one is copied into a new queued run. */
  rerun(runId: number): number {
    const { store } = this.options;
    const run = store.getRun(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    let id = runId;
    if (run.status === 'completed') {
      id = store.createRun(run.config, { ...(run.experimentId ? { experimentId: run.experimentId } : {}), name: run.name });
      // The copy keeps the original's tags (filters find both) and says whose copy it is: the two share a name.
      store.setRunTags(id, run.tags);
      store.setRunNotes(id, `Re-run of #${run.id}.`);
    } else if (run.status === 'queued' || run.status === 'running') {
      throw new Error(`run ${runId} is already ${run.status}`);
    } else {
      store.updateRunStatus(runId, 'queued');
    }
    this.options.emit('runs.changed', { runIds: [id] });
    this.pump();
    this.announce();
    return id;
  }

  move(runId: number, position: number): QueueState {
    this.options.store.moveQueuedRun(runId, position);
    return this.announce();
  }

  /** Starts as many queued runs as the concurrency allows. */
  pump(): void {
    while (!this.closed && !this.paused && this.active.size < this.concurrency) {
      const run = this.options.store.claimNextQueuedRun();
      if (!run) break;
      this.launch(run.id);
    }
  }

  /**
   * Stops polling and interrupts every run training here, as a SIGTERM does a CLI run's: each
   * worker stops after its current step and records the run interrupted with what it measured
   * (the FLOPs it trained, its last accuracy), to be resumed later. A worker still alive after
   * `graceMs` is killed, its run marked interrupted here. `why` completes "stopped …". Resolves
   * with the runs it interrupted.
   */
  async close(why: string, graceMs = CLOSE_GRACE_MS): Promise<number[]> {
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.watchTimer);
    const stopping = [...this.active.entries()].filter(([, active]) => !active.finished);
    for (const [, active] of stopping) this.post(active.worker, { type: 'interrupt', why });
    const outcomes = await Promise.all(
      stopping.map(
        ([, active]) =>
          new Promise<'exited' | 'stuck'>((resolve) => {
            const timer = setTimeout(() => resolve('stuck'), graceMs);
            active.worker.onExit(() => {
              clearTimeout(timer);
              resolve('exited');
            });
          }),
      ),
    );
    const { store } = this.options;
    stopping.forEach(([runId], i) => {
      // A worker that stopped as asked has recorded its run; one that did not is said for what it did.
      if (store.getRun(runId)?.status !== 'running') return;
      const how = outcomes[i] === 'stuck' ? `its training process did not stop within ${graceMs / 1000} s and was killed` : 'its training process ended before it could record the stop';
      store.updateRunStatus(runId, 'interrupted', { error: `stopped ${why}; ${how}; ${resumeNote(store, runId)}` });
    });
    for (const active of this.active.values()) active.worker.kill();
    this.active.clear();
    return stopping.map(([runId]) => runId);
  }

  /** Follows the runs other processes train, telling every window when they start or stop. */
  private watch(): void {
    if (this.elsewhere.poll(new Set(this.active.keys()))) this.announce();
  }

  private launch(runId: number): void {
    // Runs side by side share the kernel threads instead of each starting one per core.
    const worker = this.options.launch({ threads: Math.max(1, Math.floor(defaultKernelThreads() / this.concurrency)) });
    const active: ActiveRun = { worker, progress: null, finished: false, cancelled: false };
    this.active.set(runId, active);
    worker.onMessage((raw) => this.guarded(() => this.onWorkerMessage(runId, active, raw)));
    worker.onExit((exit) => this.guarded(() => this.onWorkerExit(runId, active, exit)));
    this.post(worker, { type: 'start', runId, dbPath: this.options.dbPath, dataDir: this.options.dataDir });
    this.status(runId, 'running', null);
    this.announce();
  }

  /**
   * Work the queue does on its own (timers, workers' messages and exits), where an error has no
   * caller to go to: thrown, it would end the app or the web server with every window's view of
   * the runs. It is kept for the windows to show (QueueState.problem) until such work succeeds.
   */
  private guarded(work: () => void): void {
    try {
      work();
      if (this.problem !== null) {
        this.problem = null;
        this.announce();
      }
    } catch (error) {
      const problem = (error as Error).message;
      if (problem === this.problem) return;
      this.problem = problem;
      console.error(`RigL Lab: the queue could not go on: ${problem}`);
      try {
        this.announce();
      } catch {
        // The store fails its reads as well: the windows' own requests report that.
      }
    }
  }

  private post(worker: WorkerHandle, message: ToWorker): void {
    worker.post(message);
  }

  private onWorkerMessage(runId: number, active: ActiveRun, raw: unknown): void {
    const parsed = fromWorkerSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.type) {
      case 'progress':
        active.progress = message.progress;
        this.options.emit('run.progress', message.progress);
        break;
      case 'epoch':
        this.options.emit('run.epoch', { runId, epoch: message.epoch, testAccuracy: message.testAccuracy });
        break;
      case 'finished':
        active.finished = true;
        this.status(runId, message.status, message.error);
        break;
    }
  }

  private onWorkerExit(runId: number, active: ActiveRun, exit: WorkerExit): void {
    if (this.closed) return;
    this.active.delete(runId);
    if (!active.finished) {
      const { store } = this.options;
      const run = store.getRun(runId);
      if (run && run.status === 'running') {
        const killed = exit.signal !== null;
        const reason = killed
          ? `the training process was killed (${exit.signal}); ${resumeNote(store, runId)}`
          : `the training process exited with code ${exit.code}${exit.stderrTail ? `: ${lastLines(exit.stderrTail)}` : ''}`;
        const status = killed ? 'interrupted' : 'failed';
        store.updateRunStatus(runId, status, { error: reason });
        store.appendRunLog(runId, 'error', reason);
        this.status(runId, status, reason);
      }
    }
    this.pump();
    this.announce();
  }

  private status(runId: number, status: ApiEventPayload<'run.status'>['status'], error: string | null): void {
    this.options.emit('run.status', { runId, status, error });
    this.options.emit('runs.changed', { runIds: [runId] });
  }

  /** Tells every window the queue's state, e.g. after runs were queued or deleted elsewhere. */
  announce(): QueueState {
    const state = this.state();
    this.options.emit('queue.changed', state);
    return state;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
