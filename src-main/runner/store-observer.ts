import type { RunProgress } from '../../src-shared/api/contract.js';
import { METRIC } from '../../src-shared/api/metrics.js';
import type { EpochMetrics, LayerStat, StepProgress, TrainingObserver } from '../engine/observer.js';
import type { MaskUpdateEvent } from '../engine/sparse/controller.js';
import type { TrainingCheckpoint } from '../engine/checkpoint.js';
import type { Recorder, Store } from '../store/index.js';
import { pruneCheckpoints, writeCheckpointFile } from './checkpoint-files.js';
import { epochLine, maskUpdateLine } from './log-lines.js';

export interface RunEvents {
  progress?(progress: RunProgress): void;
  epoch?(epoch: number, testAccuracy: number | null): void;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

/**
 * The engine's observer for a run kept in the store: metrics, layer stats and mask updates go to
 * the run's recorder (batched), progress to whoever watches (a terminal, a window, a browser).
 */
export class StoreObserver implements TrainingObserver {
  private startedAt = performance.now();
  private startStep = 0;
  /** Training time of earlier sessions of a resumed run. */
  private earlierSeconds = 0;
  private epochs = 0;
  /** The run's time as its record counts it (each session from claim to finish, less what a resume redoes): where this session began, and what came before. */
  private runClock = { sessionStart: Date.now(), earlierSeconds: 0 };

  constructor(
    private readonly store: Store,
    private readonly runId: number,
    private readonly recorder: Recorder,
    private readonly events: RunEvents,
    private readonly checkpoints: { dir: string; keep: number },
  ) {}

  started(info: Parameters<TrainingObserver['started']>[0]): void {
    this.startedAt = performance.now();
    this.startStep = info.startStep;
    this.epochs = info.plan.epochs;
    const run = this.store.getRun(this.runId);
    this.earlierSeconds = info.startStep > 0 ? (run?.durationS ?? 0) : 0;
    this.runClock = { sessionStart: run?.startedAt ? Date.parse(run.startedAt) : Date.now(), earlierSeconds: run?.durationS ?? 0 };
    this.store.setRunProgress(this.runId, info.startStep, info.plan.totalSteps);
  }

  step(p: StepProgress): void {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    this.recorder.metrics(p.step, p.epoch, {
      [METRIC.trainLoss]: p.loss,
      [METRIC.trainAccuracy]: p.accuracy,
      [METRIC.lr]: p.lr,
      [METRIC.examplesPerSecond]: p.examplesPerSecond,
      [METRIC.trainFlops]: p.trainFlops,
      [METRIC.elapsedSeconds]: this.earlierSeconds + elapsed,
    });
    const done = p.step - this.startStep;
    this.events.progress?.({
      runId: this.runId,
      step: p.step,
      totalSteps: p.totalSteps,
      epoch: p.epoch,
      loss: p.loss,
      accuracy: p.accuracy,
      lr: p.lr,
      examplesPerSecond: p.examplesPerSecond,
      etaSeconds: done > 0 ? (elapsed / done) * (p.totalSteps - p.step) : null,
      elapsedSeconds: this.runClock.earlierSeconds + (Date.now() - this.runClock.sessionStart) / 1000,
    });
  }

  maskUpdate(event: MaskUpdateEvent): void {
    this.recorder.maskUpdates(event.step, event.layers);
    this.log('info', maskUpdateLine(event));
  }

  layerStats(step: number, epoch: number, layers: LayerStat[]): void {
    this.recorder.layerStats(step, epoch, layers);
  }

  epoch(m: EpochMetrics): void {
    const values: Record<string, number> = {
      [METRIC.epochTrainLoss]: m.trainLoss,
      [METRIC.epochTrainAccuracy]: m.trainAccuracy,
      [METRIC.testLoss]: m.testLoss,
      [METRIC.testAccuracy]: m.testAccuracy,
      [METRIC.epochSeconds]: m.seconds,
    };
    if (m.valLoss !== null) values[METRIC.valLoss] = m.valLoss;
    if (m.valAccuracy !== null) values[METRIC.valAccuracy] = m.valAccuracy;
    this.recorder.metrics(m.step, m.epoch, values);
    this.recorder.flush();
    this.store.setRunProgress(this.runId, m.step);
    this.store.recordAccuracySoFar(this.runId);
    this.log('info', epochLine(m, this.epochs));
    this.events.epoch?.(m.epoch, m.testAccuracy);
  }

  /** The file first, then its row in the same transaction as every row recorded before it. */
  checkpoint(checkpoint: TrainingCheckpoint): void {
    const { path, bytes } = writeCheckpointFile(this.checkpoints.dir, checkpoint);
    this.recorder.checkpoint({ step: checkpoint.step, epoch: checkpoint.epoch, path, bytes });
    pruneCheckpoints(this.store, this.runId, this.checkpoints.dir, this.checkpoints.keep);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.store.appendRunLog(this.runId, level, message);
    this.events.log?.(level, message);
  }
}
