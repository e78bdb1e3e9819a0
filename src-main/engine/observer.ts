import type { RunPlan } from '../../src-shared/plan.js';
import type { BackendSelection } from './backend/types.js';
import type { MaskUpdateEvent } from './sparse/controller.js';
import type { TrainingCheckpoint } from './checkpoint.js';

export interface StepProgress {
  step: number;
  epoch: number;
  totalSteps: number;
  /** Mean training loss and accuracy since the last report. */
  loss: number;
  accuracy: number;
  lr: number;
  examplesPerSecond: number;
  /** Training FLOPs spent so far. */
  trainFlops: number;
}

export interface LayerStat {
  layer: string;
  density: number;
  active: number;
  params: number;
  /** Forward FLOPs of one example through this layer at its current density. */
  flops: number;
}

export interface EpochMetrics {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  trainFlops: number;
  seconds: number;
}

/**
 * How the engine reports a run. The engine knows nothing of SQLite or Electron: the runner's
 * recorder implements this and writes the store.
 */
export interface TrainingObserver {
  started(info: { plan: RunPlan; backend: BackendSelection; startStep: number }): void;
  step(progress: StepProgress): void;
  maskUpdate(event: MaskUpdateEvent): void;
  layerStats(step: number, epoch: number, layers: LayerStat[]): void;
  epoch(metrics: EpochMetrics): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** A checkpoint is due (every `checkpointEvery` epochs); training waits until it is saved. */
  checkpoint(checkpoint: TrainingCheckpoint): Promise<void> | void;
}
