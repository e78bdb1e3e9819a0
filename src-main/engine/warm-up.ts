import type { RunConfig } from '../../src-shared/config/run.js';
import { planRun } from '../../src-shared/plan.js';
import type { BackendSelection } from './backend/types.js';
import { firstExamples, type TrainingData } from './data/index.js';
import type { TrainingObserver } from './observer.js';
import { train } from './trainer.js';

/**
 * Steps of a warm-up: a process's first run stepped slower for its first few hundred steps (a
 * LeNet-300-100 RigL step 1.5–2× for 100 steps, 1.1–1.4× to step 400; after 40 warm-up steps still
 * 1.3–2×, after 200 as fast as a second run), as the JavaScript and WebAssembly it runs were compiled
 * and optimised.
 */
export const WARM_UP_STEPS = 200;
/**
 * At most this share of a run's own steps: a quick preset's run of 168 steps would otherwise warm up
 * for an epoch, a third of its own steps, where its time, mostly evaluation and set-up, says little
 * of its method.
 */
export const WARM_UP_SHARE = 0.1;
/** After this, a warm-up stops at the end of its current step (a large model's step on a CPU takes a good part of a second). */
export const WARM_UP_MS = 2_000;

const SILENT: TrainingObserver = {
  started() {},
  step() {},
  maskUpdate() {},
  layerStats() {},
  epoch() {},
  log() {},
  checkpoint() {},
};

/**
 * Trains a throwaway copy of a run's model on its first training examples for a few steps
 * (WARM_UP_STEPS, at most WARM_UP_SHARE of the run's and one pass over the examples, ending with
 * the first step past WARM_UP_MS), with mask updates and an evaluation, before the run's clock
 * starts. Without it the first run of a process stepped slower than the same run after it (see
 * WARM_UP_STEPS), which made a grid's times depend on its order, and every run of the app (a
 * process each) slower than the same run in a CLI grid. Nothing of the run itself is touched: its
 * weights, masks, batches and random streams are built afresh by train. Returns the steps it
 * trained (fewer where `signal`, the run's, stops it).
 */
export async function warmUp(config: RunConfig, backend: BackendSelection, data: TrainingData, signal?: AbortSignal): Promise<number> {
  const steps = Math.min(WARM_UP_STEPS, Math.max(1, Math.floor(WARM_UP_SHARE * planRun(config).totalSteps)), Math.floor(data.train.count / config.batchSize));
  if (steps < 1) return 0;
  const examples = steps * config.batchSize;
  const warm: RunConfig = {
    ...config,
    epochs: 1,
    trainingMultiplier: 1,
    trainSubset: examples,
    validationFraction: 0,
    warmupSteps: 0,
    logEvery: steps,
    checkpointEvery: 0,
    // Updates (and pruning events) within the few steps, so that their code is warm too.
    maskUpdate: { ...config.maskUpdate, deltaT: Math.max(1, Math.floor(steps / 4)) },
    pruning: { ...config.pruning, frequency: Math.max(1, Math.floor(steps / 4)) },
  };
  const few: TrainingData = {
    ...data,
    train: firstExamples(data.train, examples),
    validation: firstExamples(data.validation, 0),
    test: firstExamples(data.test, config.batchSize),
  };
  const timeUp = AbortSignal.timeout(WARM_UP_MS);
  const outcome = await train({ config: warm, backend, data: few, observer: SILENT, signal: signal ? AbortSignal.any([signal, timeUp]) : timeUp });
  return outcome.stepsDone;
}
