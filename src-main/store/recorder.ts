import { immediate, isoTime, type StoreContext } from './context.js';
import { explainMissingRun, StoreError } from './errors.js';
import type { LayerStatRecord, MaskUpdateRecord } from '../../src-shared/api/records.js';

export interface RecorderOptions {
  /** Write once this many rows wait. */
  maxRows?: number;
  /** Write once the oldest waiting row is this old (ms), so dashboards stay current. */
  maxDelayMs?: number;
}

export type LayerStatInput = Omit<LayerStatRecord, 'step' | 'epoch'>;
export type MaskUpdateInput = Omit<MaskUpdateRecord, 'step'>;

export interface CheckpointInput {
  step: number;
  epoch: number;
  path: string;
  bytes: number;
}

interface MetricRow {
  name: string;
  step: number;
  epoch: number;
  value: number;
}
interface LayerRow extends LayerStatInput {
  step: number;
  epoch: number;
}
interface MaskRow extends MaskUpdateInput {
  step: number;
}

const DEFAULT_MAX_ROWS = 5000;
const DEFAULT_MAX_DELAY_MS = 1000;

/**
 * Records one run's time series. Rows wait in memory and are written in one transaction per
 * batch, because a transaction per row would cost a WAL commit each. A row recorded twice for
 * the same step (and name or layer) replaces the first, so replaying steps after a resume can
 * never duplicate rows. Each write also stamps the run as seen (runs.seen_at): where the session
 * of a process that dies ends.
 */
export class Recorder {
  private metricRows: MetricRow[] = [];
  private layerRows: LayerRow[] = [];
  private maskRows: MaskRow[] = [];
  /** When the oldest waiting row arrived (ctx.clock), undefined when nothing waits. */
  private oldestAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** An error from a timer-driven write, raised by the next call since a timer has no caller. */
  private failure: unknown;
  private closed = false;
  private readonly maxRows: number;
  private readonly maxDelayMs: number;
  private readonly write: (checkpoint?: CheckpointInput) => number | undefined;

  constructor(
    private readonly ctx: StoreContext,
    readonly runId: number,
    options: RecorderOptions = {},
  ) {
    this.maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const { db } = ctx;
    const insertMetric = db.prepare(
      `INSERT INTO metrics (run_id, name, step, epoch, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, name, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value`,
    );
    const insertLayer = db.prepare(
      `INSERT INTO layer_stats (run_id, step, epoch, layer, density, active, params, flops) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, step, layer) DO UPDATE SET epoch = excluded.epoch, density = excluded.density,
         active = excluded.active, params = excluded.params, flops = excluded.flops`,
    );
    const insertMask = db.prepare(
      `INSERT INTO mask_updates (run_id, step, layer, active, dropped, grown) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, step, layer) DO UPDATE SET active = excluded.active, dropped = excluded.dropped, grown = excluded.grown`,
    );
    const insertCheckpoint = db
      .prepare<[number, number, number, string, number, string], number>(
        `INSERT INTO checkpoints (run_id, step, epoch, path, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step) DO UPDATE SET epoch = excluded.epoch, path = excluded.path, bytes = excluded.bytes,
           created_at = excluded.created_at
         RETURNING id`,
      )
      .pluck();
    const markSeen = db.prepare('UPDATE runs SET seen_at = ? WHERE id = ?');
    this.write = immediate(db, (checkpoint?: CheckpointInput): number | undefined => {
      const now = isoTime(ctx.clock());
      markSeen.run(now, runId);
      for (const m of this.metricRows) insertMetric.run(runId, m.name, m.step, m.epoch, m.value);
      for (const l of this.layerRows) insertLayer.run(runId, l.step, l.epoch, l.layer, l.density, l.active, l.params, l.flops);
      for (const u of this.maskRows) insertMask.run(runId, u.step, u.layer, u.active, u.dropped, u.grown);
      if (checkpoint === undefined) return undefined;
      const { step, epoch, path, bytes } = checkpoint;
      return insertCheckpoint.get(runId, step, epoch, path, bytes, now);
    });
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.metricRows.length + this.layerRows.length + this.maskRows.length;
  }

  /** Named values measured at one step, e.g. { train_loss: 0.41, lr: 0.1 }. */
  metrics(step: number, epoch: number, values: Readonly<Record<string, number>>): void {
    this.checkOpen();
    for (const [name, value] of Object.entries(values)) this.metricRows.push({ name, step, epoch, value });
    this.added();
  }

  /** Every masked layer's density, active count, size and FLOPs at one step, in model order. */
  layerStats(step: number, epoch: number, layers: readonly LayerStatInput[]): void {
    this.checkOpen();
    for (const layer of layers) this.layerRows.push({ ...layer, step, epoch });
    this.added();
  }

  /** What one drop/grow (or pruning) event did to each layer. */
  maskUpdates(step: number, updates: readonly MaskUpdateInput[]): void {
    this.checkOpen();
    for (const update of updates) this.maskRows.push({ ...update, step });
    this.added();
  }

  /**
   * Records a checkpoint in the same transaction as every row waiting before it, so a stored
   * checkpoint always has the rows up to its step. Returns the checkpoint's id.
   */
  checkpoint(checkpoint: CheckpointInput): number {
    this.checkOpen();
    const id = this.writePending(checkpoint);
    if (id === undefined) throw new StoreError(`${this.ctx.file}: checkpoint of run ${this.runId} was not recorded`);
    return id;
  }

  flush(): void {
    this.raiseFailure();
    if (this.pending > 0) this.writePending();
  }

  /** Writes what waits; the recorder takes no rows after it. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  private added(): void {
    if (this.pending === 0) return;
    if (this.oldestAt === undefined) {
      this.oldestAt = this.ctx.clock();
      // Also flush while training pauses (evaluation, a slow epoch end); unref so it never keeps a process alive.
      this.timer = setTimeout(() => this.flushFromTimer(), this.maxDelayMs).unref();
    }
    if (this.pending >= this.maxRows || this.ctx.clock() - this.oldestAt >= this.maxDelayMs) this.flush();
  }

  private writePending(checkpoint?: CheckpointInput): number | undefined {
    let id: number | undefined;
    try {
      id = this.write(checkpoint);
    } catch (error) {
      throw explainMissingRun(error, this.ctx.file, this.runId);
    }
    this.metricRows = [];
    this.layerRows = [];
    this.maskRows = [];
    this.oldestAt = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    return id;
  }

  private flushFromTimer(): void {
    this.timer = undefined;
    try {
      this.flush();
    } catch (error) {
      this.failure = error;
    }
  }

  private raiseFailure(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError(`${this.ctx.file}: the recorder of run ${this.runId} is closed`);
    this.raiseFailure();
  }
}
