import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { planRun } from '../../src-shared/plan.js';
import { installedModules, type OptionalModules } from '../../src-main/engine/backend/optional-modules.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import type { TrainingData } from '../../src-main/engine/data/split.js';
import type { EpochMetrics, LayerStat, StepProgress, TrainingObserver } from '../../src-main/engine/observer.js';
import type { MaskUpdateEvent } from '../../src-main/engine/sparse/controller.js';
import { train } from '../../src-main/engine/trainer.js';
import type { Recorder } from '../../src-main/store/index.js';

/** Wall time of every training step of one run, and which steps updated the masks. */
export interface StepTimes {
  /** Milliseconds of step t (data, forward, backward, optimizer, mask work, reporting). */
  ms: number[];
  updateSteps: Set<number>;
  backendDevice: string;
  /** Threads the backend's kernels use. */
  threads: number;
  /** Milliseconds spent inside the recorder (buffering and every batched write), whole run. */
  recordingMs: number;
  /** Milliseconds of the whole run, evaluation included. */
  totalMs: number;
}

/**
 * Reports each step (logEvery must be 1) and, when given a recorder, writes what the runner's
 * store observer writes, so that the cost of recording can be compared.
 */
class TimingObserver implements TrainingObserver {
  readonly ms: number[] = [];
  readonly updateSteps = new Set<number>();
  recordingMs = 0;

  constructor(
    private readonly batchSize: number,
    private readonly recorder: Recorder | null,
  ) {}

  /** Runs a recorder call and adds its duration. */
  record(write: (recorder: Recorder) => void): void {
    if (!this.recorder) return;
    const started = performance.now();
    write(this.recorder);
    this.recordingMs += performance.now() - started;
  }

  started(): void {}
  step(p: StepProgress): void {
    this.ms.push((this.batchSize * 1000) / p.examplesPerSecond);
    this.record((r) =>
      r.metrics(p.step, p.epoch, {
        train_loss: p.loss,
        train_accuracy: p.accuracy,
        lr: p.lr,
        examples_per_s: p.examplesPerSecond,
        train_flops: p.trainFlops,
        elapsed_s: 0,
      }),
    );
  }
  maskUpdate(event: MaskUpdateEvent): void {
    this.updateSteps.add(event.step);
    this.record((r) => r.maskUpdates(event.step, event.layers));
  }
  layerStats(step: number, epoch: number, layers: LayerStat[]): void {
    this.record((r) => r.layerStats(step, epoch, layers));
  }
  epoch(m: EpochMetrics): void {
    this.record((r) => r.metrics(m.step, m.epoch, { test_accuracy: m.testAccuracy, test_loss: m.testLoss }));
  }
  log(): void {}
  /** The bench turns checkpoints off (checkpointEvery 0). */
  checkpoint(): void {}
}

/**
 * Trains `steps` steps of one configuration on `data` (one epoch) and times each one, on the
 * backend the input names (`modules`: where the native ones are found).
 */
export async function timeSteps(
  input: RunConfigInput,
  data: TrainingData,
  recorder: Recorder | null = null,
  modules: OptionalModules = installedModules,
): Promise<StepTimes> {
  const config = resolveRunConfig({ ...input, logEvery: 1, epochs: 1, validationFraction: 0, checkpointEvery: 0 });
  const plan = planRun(config);
  if (plan.stepsPerEpoch * config.batchSize > data.train.count) {
    throw new Error(`bench data has ${data.train.count} examples, ${config.model} needs ${plan.stepsPerEpoch * config.batchSize}`);
  }
  const backend = await selectBackend(config.backend, modules);
  const observer = new TimingObserver(config.batchSize, recorder);
  const started = performance.now();
  await train({ config, backend, data, observer });
  observer.record((r) => r.flush());
  const totalMs = performance.now() - started;
  return { ms: observer.ms, updateSteps: observer.updateSteps, backendDevice: backend.device, threads: backend.threads, recordingMs: observer.recordingMs, totalMs };
}
