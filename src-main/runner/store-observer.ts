import type { RunProgress } from '../../src-shared/api/contract.js';
import type { EpochMetrics, LayerStat, StepProgress, TrainingObserver } from '../engine/observer.js';
import type { MaskUpdateEvent } from '../engine/sparse/controller.js';
import type { TrainingCheckpoint } from '../engine/checkpoint.js';
import type { Recorder, Store } from '../store/index.js';
import { pruneCheckpoints, writeCheckpointFile } from './checkpoint-files.js';

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
    this.store.setRunProgress(this.runId, info.startStep, info.plan.totalSteps);
  }

  step(p: StepProgress): void {
    this.recorder.metrics(p.step, p.epoch, {
      train_loss: p.loss,
      train_accuracy: p.accuracy,
      lr: p.lr,
      examples_per_s: p.examplesPerSecond,
      train_flops: p.trainFlops,
    });
    const elapsed = (performance.now() - this.startedAt) / 1000;
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
    });
  }

  maskUpdate(event: MaskUpdateEvent): void {
    this.recorder.maskUpdates(event.step, event.layers);
  }

  layerStats(step: number, epoch: number, layers: LayerStat[]): void {
    this.recorder.layerStats(step, epoch, layers);
  }

  epoch(m: EpochMetrics): void {
    const values: Record<string, number> = {
      epoch_train_loss: m.trainLoss,
      epoch_train_accuracy: m.trainAccuracy,
      test_loss: m.testLoss,
      test_accuracy: m.testAccuracy,
      epoch_seconds: m.seconds,
    };
    if (m.valLoss !== null) values.val_loss = m.valLoss;
    if (m.valAccuracy !== null) values.val_accuracy = m.valAccuracy;
    this.recorder.metrics(m.step, m.epoch, values);
    this.recorder.flush();
    this.store.setRunProgress(this.runId, m.step);
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
