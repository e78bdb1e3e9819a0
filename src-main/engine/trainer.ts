import * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../../src-shared/config/run.js';
import { finalNetwork, planRun, type RunPlan } from '../../src-shared/plan.js';
import { Random } from '../../src-shared/random.js';
import { flopsRatio, sparseForwardFlops, trainingFlopsPerExample } from '../../src-shared/sparsity/flops.js';
import { learningRate } from '../../src-shared/training/lr.js';
import type { BackendSelection } from './backend/types.js';
import { BatchInput, type StepInput } from './batch-input.js';
import { TrainingBatches, type TrainingData } from './data/index.js';
import { evaluate } from './evaluate.js';
import { buildNetwork } from './nn/build.js';
import { softmaxCrossEntropy } from './nn/loss.js';
import type { Sequential } from './nn/container.js';
import type { ForwardContext, Param } from './nn/module.js';
import type { LayerStat, TrainingObserver } from './observer.js';
import { Sgd } from './optimizer.js';
import { SparsityController } from './sparse/controller.js';
import type { CheckpointCounters, TrainingCheckpoint } from './checkpoint.js';
import { captureTensors, restoreTensors } from './state.js';

/** Longest a run goes between turns of the event loop, where cancel and pause messages come in. */
const YIELD_EVERY_MS = 10;

/** Independent random streams of a run, so that e.g. adding dropout does not change the data order. */
export const RNG_STREAMS = { init: 0, masks: 1, dropout: 2 } as const;

export interface TrainInput {
  config: RunConfig;
  backend: BackendSelection;
  data: TrainingData;
  observer: TrainingObserver;
  /** Aborting stops the run after the current step. */
  signal?: AbortSignal;
  /** Continue from this checkpoint instead of starting fresh. */
  resume?: TrainingCheckpoint;
}

export type TrainStatus = 'completed' | 'cancelled' | 'diverged';

export interface TrainOutcome {
  status: TrainStatus;
  /** Step at which the loss stopped being finite (diverged runs). */
  divergedStep: number | null;
  stepsDone: number;
  testAccuracy: number | null;
  bestTestAccuracy: number | null;
  valAccuracy: number | null;
  testLoss: number | null;
  trainFlops: number;
  /** Against the standard dense run (plan.ts standardDenseTrainFlops). */
  trainFlopsRatio: number;
  inferenceFlops: number;
  inferenceFlopsRatio: number;
  /** Fraction of masked weights that are zero at the end. */
  finalSparsity: number;
  layers: Array<LayerStat & { shape: number[] }>;
  parameters: number;
}

/** Trains one run to the end (or until cancelled / diverged), reporting through the observer. */
export async function train(input: TrainInput): Promise<TrainOutcome> {
  const { config, observer, data } = input;
  const plan = planRun(config);
  const batches = new TrainingBatches(data.train, {
    batchSize: config.batchSize,
    seed: config.seed,
    stats: data.stats,
    augment: config.augment,
  });
  if (batches.batchesPerEpoch !== plan.stepsPerEpoch) {
    throw new Error(`data gives ${batches.batchesPerEpoch} steps per epoch, the plan expects ${plan.stepsPerEpoch}`);
  }
  const network = buildNetwork(plan.model, Random.derive(config.seed, RNG_STREAMS.init));
  const params = network.params();
  const optimizer = new Sgd(config.optimizer);
  const maskRng = Random.derive(config.seed, RNG_STREAMS.masks);
  const sparsity = new SparsityController(config, plan, params, optimizer, maskRng);
  const dropoutRng = Random.derive(config.seed, RNG_STREAMS.dropout);
  const context: ForwardContext = { training: true, nextSeed: () => dropoutRng.nextUint32(), denseGradients: true };
  const counters: CheckpointCounters = {
    trainFlops: 0,
    bestTestAccuracy: null,
    last: null,
    window: { loss: 0, correct: 0, examples: 0 },
  };
  let startStep = 0;
  if (input.resume) {
    const resume = input.resume;
    if (resume.step % plan.stepsPerEpoch !== 0 || resume.step > plan.totalSteps) {
      throw new Error(`checkpoint at step ${resume.step} does not fall on an epoch boundary of this run`);
    }
    restoreTensors(resume.tensors, network, optimizer, sparsity);
    dropoutRng.restore(resume.random.dropout);
    maskRng.restore(resume.random.masks);
    batches.restore(resume.batches);
    Object.assign(counters, structuredClone(resume.counters));
    startStep = resume.step;
  }
  const batchInput = new BatchInput(batches, data.train);
  try {
    observer.started({ plan, backend: input.backend, startStep });
    // Densities as last reported: reported again after an event that changed them (pruning,
    // redistributed growth), so that their course over training is drawn as it went.
    let reportedDensities = sparsity.densities();
    if (!input.resume) observer.layerStats(0, 0, layerStats(plan, reportedDensities));

    let sparseForward = sparseForwardFlops(plan.layers, reportedDensities);
    let windowStarted = performance.now();
    const epochTotals = { loss: 0, correct: 0, examples: 0 };
    let epochStarted = performance.now();
    let lastYield = performance.now();

    // A stop that came while the run was getting ready (its warm-up) trains nothing; later ones are
    // seen after each step.
    if (input.signal?.aborted) return finish('cancelled', startStep, null);
    for (let t = startStep; t < plan.totalSteps; t++) {
      const epoch = Math.floor(t / plan.stepsPerEpoch);
      const batch = batchInput.next(network.takesBatchChunksFirst());
      context.denseGradients = sparsity.needsDenseGradient(t);
      const { loss, correct } = forwardBackward(network, params, batch, config.labelSmoothing, context);
      if (!Number.isFinite(loss)) {
        disposeGrads(params);
        observer.log('error', `loss became ${loss} at step ${t}`);
        return finish('diverged', t, t);
      }
      const beforeEvent = sparsity.beforeOptimizer(t);
      const lr = learningRate(t, plan.lr);
      if (!sparsity.replacesOptimizerStep(t)) {
        optimizer.step(params, { lr, masks: sparsity.masks, denseMomentum: sparsity.denseMomentum });
      }
      const afterEvent = sparsity.afterOptimizer(t);
      disposeGrads(params);

      counters.trainFlops +=
        config.batchSize *
        trainingFlopsPerExample({
          method: config.method,
          sparse: sparseForward,
          dense: plan.flops.denseForward,
          deltaT: config.maskUpdate.deltaT,
          updatesRunning: sparsity.updatesRunning(t),
        });
      if (beforeEvent || afterEvent) {
        for (const event of [beforeEvent, afterEvent]) if (event) observer.maskUpdate(event);
        const densities = sparsity.densities();
        sparseForward = sparseForwardFlops(plan.layers, densities);
        // At the event's step, as its mask update is recorded: the charts and the log then put a
        // pruning event and the densities it leaves at one step.
        if (densities.some((d, i) => d !== reportedDensities[i])) {
          observer.layerStats(t, t / plan.stepsPerEpoch, layerStats(plan, densities));
          reportedDensities = densities;
        }
      }

      const { window } = counters;
      window.loss += loss * batch.size;
      window.correct += correct;
      window.examples += batch.size;
      epochTotals.loss += loss * batch.size;
      epochTotals.correct += correct;
      epochTotals.examples += batch.size;
      const stepsDone = t + 1;
      if (stepsDone % config.logEvery === 0 || stepsDone === plan.totalSteps) {
        const now = performance.now();
        observer.step({
          step: stepsDone,
          epoch: stepsDone / plan.stepsPerEpoch,
          totalSteps: plan.totalSteps,
          loss: window.loss / window.examples,
          accuracy: window.correct / window.examples,
          lr,
          examplesPerSecond: (window.examples * 1000) / Math.max(1e-3, now - windowStarted),
          trainFlops: counters.trainFlops,
        });
        counters.window = { loss: 0, correct: 0, examples: 0 };
        windowStarted = now;
      }

      if (stepsDone % plan.stepsPerEpoch === 0) {
        const val = data.validation.count > 0 ? evaluate(network, data.validation, data.stats) : null;
        const test = evaluate(network, data.test, data.stats);
        counters.bestTestAccuracy = Math.max(counters.bestTestAccuracy ?? 0, test.accuracy);
        counters.last = { testLoss: test.loss, testAccuracy: test.accuracy, valAccuracy: val?.accuracy ?? null };
        observer.epoch({
          epoch: epoch + 1,
          step: stepsDone,
          trainLoss: epochTotals.loss / epochTotals.examples,
          trainAccuracy: epochTotals.correct / epochTotals.examples,
          valLoss: val?.loss ?? null,
          valAccuracy: val?.accuracy ?? null,
          testLoss: test.loss,
          testAccuracy: test.accuracy,
          lr,
          trainFlops: counters.trainFlops,
          seconds: (performance.now() - epochStarted) / 1000,
        });
        reportedDensities = sparsity.densities();
        observer.layerStats(stepsDone, epoch + 1, layerStats(plan, reportedDensities));
        Object.assign(epochTotals, { loss: 0, correct: 0, examples: 0 });
        if (config.checkpointEvery > 0 && (epoch + 1) % config.checkpointEvery === 0) {
          await observer.checkpoint({
            step: stepsDone,
            epoch: epoch + 1,
            counters: structuredClone(counters),
            random: { dropout: dropoutRng.state(), masks: maskRng.state() },
            batches: batches.state(),
            tensors: captureTensors(network, optimizer, sparsity),
          });
        }
        epochStarted = performance.now();
      }
      // Let IPC messages (cancel, pause) in between steps, every few milliseconds: a turn of the
      // event loop costs 5–10 µs, 1% of a sparse LeNet-300-100 step.
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (input.signal?.aborted) return finish('cancelled', stepsDone, null);
    }
    return finish('completed', plan.totalSteps, null);

    function finish(status: TrainStatus, stepsDone: number, divergedStep: number | null): TrainOutcome {
      const layers = finalLayers(plan, params);
      return {
        status,
        divergedStep,
        stepsDone,
        testAccuracy: counters.last?.testAccuracy ?? null,
        bestTestAccuracy: counters.bestTestAccuracy,
        valAccuracy: counters.last?.valAccuracy ?? null,
        testLoss: counters.last?.testLoss ?? null,
        trainFlops: counters.trainFlops,
        trainFlopsRatio: flopsRatio(counters.trainFlops, plan.flops.denseTrain),
        ...finalNetwork(layers, plan),
        layers,
      };
    }
  } finally {
    batchInput.dispose();
    sparsity.dispose();
    optimizer.dispose();
    for (const p of params) p.value.dispose();
    for (const b of network.buffers()) b.value.dispose();
  }
}

/** Forward and backward of one batch; leaves each param's gradient in `param.grad` and disposes the input. */
function forwardBackward(network: Sequential, params: Param[], input: StepInput, smoothing: number, context: ForwardContext): { loss: number; correct: number } {
  const { x, y } = input;
  const [loss, correct] = tf.tidy(() => {
    const logits = network.forward(x, context, true) as tf.Tensor2D;
    const result = softmaxCrossEntropy(logits, y, smoothing);
    network.backward(result.dLogits);
    for (const p of params) if (p.grad) tf.keep(p.grad);
    return [result.loss.dataSync()[0]!, result.correct.dataSync()[0]!];
  });
  tf.dispose([x, y]);
  return { loss, correct };
}

function disposeGrads(params: Param[]): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}

function layerStats(plan: RunPlan, densities: number[]): LayerStat[] {
  return plan.layers.map((l, i) => {
    const density = densities[i] ?? 1;
    return { layer: l.name, density, active: Math.round(density * l.params), params: l.params, flops: l.flops * density };
  });
}

/** The final network's layers, counting the weights that are actually non-zero. */
function finalLayers(plan: RunPlan, params: Param[]): Array<LayerStat & { shape: number[] }> {
  const kernels = params.filter((p) => p.maskable);
  return plan.layers.map((l, i) => {
    const values = kernels[i]!.value.dataSync();
    let nonzero = 0;
    for (let j = 0; j < values.length; j++) if (values[j] !== 0) nonzero++;
    const density = nonzero / l.params;
    return { layer: l.name, shape: l.shape, density, active: nonzero, params: l.params, flops: l.flops * density };
  });
}
