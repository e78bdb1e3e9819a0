import * as tf from '@tensorflow/tfjs-core';
import { resolveRunConfig, type RunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { planRun } from '../../src-shared/plan.js';
import { installedModules, type OptionalModules } from '../../src-main/engine/backend/optional-modules.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import type { BackendSelection } from '../../src-main/engine/backend/types.js';
import { BatchInput } from '../../src-main/engine/batch-input.js';
import { firstExamples, TrainingBatches } from '../../src-main/engine/data/index.js';
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
  /**
   * Bytes of the tensors alive between steps (after the last one): weights, optimizer state, masks
   * and compressed indices, the training images on the device left out.
   */
  tensorBytes: number;
}

/**
 * Reports each step (logEvery must be 1) and, when given a recorder, writes what the runner's
 * store observer writes, so that the cost of recording can be compared.
 */
class TimingObserver implements TrainingObserver {
  readonly ms: number[] = [];
  readonly updateSteps = new Set<number>();
  recordingMs = 0;
  /** Tensor bytes after the latest step. */
  bytesAfterStep = 0;

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
    this.bytesAfterStep = tf.memory().numBytes;
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
  const { config, backend, bytesBefore } = await prepareRun(input, data, modules);
  const observer = new TimingObserver(config.batchSize, recorder);
  const started = performance.now();
  await train({ config, backend, data, observer });
  observer.record((r) => r.flush());
  const totalMs = performance.now() - started;
  return {
    ms: observer.ms,
    updateSteps: observer.updateSteps,
    backendDevice: backend.device,
    threads: backend.threads,
    recordingMs: observer.recordingMs,
    totalMs,
    tensorBytes: observer.bytesAfterStep - bytesBefore,
  };
}

/** Steps of the run that peakStepBytes watches: with ΔT = 2, step 2 updates the masks (updates end at 75%, step 3). */
const PEAK_STEPS = 4;

/**
 * The most tensor bytes alive at once while a configuration trains a few steps, one of them a
 * mask update (a RigL update holds dense gradients): weights, optimizer state, activations and
 * gradients. Left out: the training images on the device, the model's set-up, which builds each
 * kernel dense before masking it, and the evaluation after the last step. Measured apart from the
 * timed runs because tfjs's profiler, which tracks it, slows every kernel call.
 */
export async function peakStepBytes(input: RunConfigInput, data: TrainingData, modules: OptionalModules = installedModules): Promise<number> {
  const batch = resolveRunConfig(input).batchSize;
  const few = { ...data, train: firstExamples(data.train, PEAK_STEPS * batch) };
  const { config, backend, bytesBefore } = await prepareRun(
    { ...input, trainSubset: PEAK_STEPS * batch, maskUpdate: { ...input.maskUpdate, deltaT: 2 } },
    few,
    modules,
  );
  const observer = new StepKernelMarker(config.batchSize);
  const profile = await tf.profile(async () => {
    await train({ config, backend, data: few, observer });
  });
  const snapshots = profile.kernels.slice(observer.firstStepKernel, observer.afterLastStepKernel).map((k) => k.totalBytesSnapshot);
  return Math.max(...snapshots) - bytesBefore;
}

/** Notes how many kernels a profiled run had called when its first step began and when its latest step ended. */
class StepKernelMarker extends TimingObserver {
  firstStepKernel = 0;
  afterLastStepKernel = 0;

  constructor(batchSize: number) {
    super(batchSize, null);
  }

  override started(): void {
    this.firstStepKernel = profiledKernels();
  }

  override step(p: StepProgress): void {
    super.step(p);
    this.afterLastStepKernel = profiledKernels();
  }
}

const profiledKernels = (): number => tf.engine().state.activeProfile.kernels.length;

/**
 * A timed run's configuration (one epoch, every step reported, no checkpoints) and backend, and
 * the tensor bytes before it plus those its training images will take on the device.
 */
async function prepareRun(
  input: RunConfigInput,
  data: TrainingData,
  modules: OptionalModules,
): Promise<{ config: RunConfig; backend: BackendSelection; bytesBefore: number }> {
  const config = resolveRunConfig({ ...input, logEvery: 1, epochs: 1, validationFraction: 0, checkpointEvery: 0 });
  const plan = planRun(config);
  if (plan.stepsPerEpoch * config.batchSize > data.train.count) {
    throw new Error(`bench data has ${data.train.count} examples, ${config.model} needs ${plan.stepsPerEpoch * config.batchSize}`);
  }
  const backend = await selectBackend(config.backend, modules);
  return { config, backend, bytesBefore: tf.memory().numBytes + inputBytes(config, data) };
}

/** Bytes the training images (and their order) take on the device, as the trainer's BatchInput puts them there. */
function inputBytes(config: RunConfig, data: TrainingData): number {
  const before = tf.memory().numBytes;
  const batches = new TrainingBatches(data.train, { batchSize: config.batchSize, seed: config.seed, stats: data.stats, augment: config.augment });
  const input = new BatchInput(batches, data.train);
  const bytes = tf.memory().numBytes - before;
  input.dispose();
  return bytes;
}
