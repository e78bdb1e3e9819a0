import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { loadDataset, prepareTrainingData, type LoadedDataset } from '../../src-main/engine/data/index.js';
import type { EpochMetrics, LayerStat, StepProgress, TrainingObserver } from '../../src-main/engine/observer.js';
import type { MaskUpdateEvent } from '../../src-main/engine/sparse/controller.js';
import { train, type TrainOutcome } from '../../src-main/engine/trainer.js';
import type { TrainingCheckpoint } from '../../src-main/engine/checkpoint.js';

/** Everything a run reported, for assertions. */
export class CollectingObserver implements TrainingObserver {
  steps: StepProgress[] = [];
  epochs: EpochMetrics[] = [];
  maskUpdates: MaskUpdateEvent[] = [];
  layerSnapshots: Array<{ step: number; layers: LayerStat[] }> = [];
  logs: string[] = [];
  checkpoints: TrainingCheckpoint[] = [];
  started(): void {}
  step(p: StepProgress): void {
    this.steps.push(p);
  }
  maskUpdate(e: MaskUpdateEvent): void {
    this.maskUpdates.push(e);
  }
  layerStats(step: number, _epoch: number, layers: LayerStat[]): void {
    this.layerSnapshots.push({ step, layers });
  }
  epoch(m: EpochMetrics): void {
    this.epochs.push(m);
  }
  log(level: string, message: string): void {
    this.logs.push(`${level} ${message}`);
  }
  checkpoint(c: TrainingCheckpoint): void {
    this.checkpoints.push(c);
  }
}

let fashion: Promise<LoadedDataset> | null = null;

/** Debian's Fashion-MNIST, decoded once per test file into a temporary cache. */
export function fashionMnist(): Promise<LoadedDataset> {
  fashion ??= loadDataset('fashion-mnist', { dataDir: mkdtempSync(join(tmpdir(), 'rigl-lab-data-')) });
  return fashion;
}

/** Trains a config on Fashion-MNIST in this process and returns what it reported. */
export async function trainOnFashion(
  input: RunConfigInput,
  resume?: TrainingCheckpoint,
): Promise<{ outcome: TrainOutcome; observer: CollectingObserver }> {
  const config = resolveRunConfig({ dataset: 'fashion-mnist', logEvery: 1, ...input });
  const backend = await selectBackend(config.backend);
  const data = prepareTrainingData(await fashionMnist(), config);
  const observer = new CollectingObserver();
  const outcome = await train({ config, backend, data, observer, ...(resume ? { resume } : {}) });
  return { outcome, observer };
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
