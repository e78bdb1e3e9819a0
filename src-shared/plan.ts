import type { RunConfig } from './config/run.js';
import { trainingExamples } from './datasets.js';
import { buildModelSpec, maskedLayers, parameterCount, type MaskedLayer, type ModelSpec } from './models/index.js';
import { allocateDensities, type LayerAllocation } from './sparsity/distribution.js';
import {
  denseForwardFlops,
  flopsRatio,
  sparseForwardFlops,
  trainingFlopsPerExample,
} from './sparsity/flops.js';
import {
  isPruningStep,
  pruningActiveCount,
  updatesRunning,
  type DropGrowSchedule,
  type PruningSchedule,
} from './sparsity/schedules.js';
import type { LrPlan } from './training/lr.js';

/** Everything a run's config implies before a tensor exists: the engine trains it, the form previews it. */
export interface RunPlan {
  model: ModelSpec;
  layers: MaskedLayer[];
  /** Final per-layer density and exact active count (all dense for the dense method). */
  allocation: LayerAllocation[];
  parameters: number;
  trainExamples: number;
  stepsPerEpoch: number;
  epochs: number;
  totalSteps: number;
  dropGrow: DropGrowSchedule | null;
  pruning: PruningSchedule | null;
  lr: LrPlan;
  flops: FlopEstimate;
}

export interface FlopEstimate {
  /** f_D, dense forward FLOPs per example of this run's model. */
  denseForward: number;
  /**
   * Dense forward FLOPs of the published architecture (width multiplier 1): what every "×dense"
   * ratio divides by, so a Small-Dense baseline reports its saving too.
   */
  referenceForward: number;
  /** Forward FLOPs per example with the final masks. */
  inference: number;
  inferenceRatio: number;
  /** Whole-run training FLOPs (all examples, all steps). */
  train: number;
  trainRatio: number;
  /** The standard dense run's training FLOPs (standardDenseTrainFlops), what trainRatio divides by. */
  denseTrain: number;
}

export function planRun(config: RunConfig): RunPlan {
  const model = buildModelSpec(config.model, config.dataset, {
    dropout: config.dropout,
    widthMultiplier: config.widthMultiplier,
  });
  const layers = maskedLayers(model);
  const allocation =
    config.method === 'dense'
      ? layers.map((l) => ({ name: l.name, params: l.params, density: 1, active: l.params }))
      : allocateDensities(layers, {
          sparsity: config.sparsity,
          distribution: config.distribution,
          denseFirstLayer: config.denseFirstLayer,
          overrides: config.layerSparsity,
        });
  const trainExamples = trainingExamples(config.dataset, config.validationFraction, config.trainSubset);
  const stepsPerEpoch = stepsPerEpochOf(config);
  const epochs = trainedEpochs(config);
  const totalSteps = stepsPerEpoch * epochs;
  const stepAt = (fraction: number): number => Math.round(fraction * totalSteps);
  const dropGrow: DropGrowSchedule | null =
    config.method === 'set' || config.method === 'snfs' || config.method === 'rigl'
      ? {
          alpha: config.maskUpdate.alpha,
          deltaT: config.maskUpdate.deltaT,
          endStep: stepAt(config.maskUpdate.endFraction),
          schedule: config.maskUpdate.schedule,
        }
      : null;
  const pruning: PruningSchedule | null =
    config.method === 'pruning'
      ? {
          startStep: stepAt(config.pruning.startFraction),
          endStep: Math.max(stepAt(config.pruning.endFraction), stepAt(config.pruning.startFraction) + 1),
          frequency: config.pruning.frequency,
        }
      : null;
  const schedule =
    config.lrSchedule.kind === 'step'
      ? { ...config.lrSchedule, everySteps: Math.max(1, Math.round(config.lrSchedule.everySteps * config.trainingMultiplier)) }
      : config.lrSchedule;
  const lr: LrPlan = { base: config.optimizer.lr, schedule, warmupSteps: config.warmupSteps, totalSteps };
  const plan = { model, layers, allocation, parameters: parameterCount(model), trainExamples, stepsPerEpoch, epochs, totalSteps, dropGrow, pruning, lr };
  const referenceForward = config.widthMultiplier === 1 ? denseForwardFlops(layers) : referenceForwardFlops(config);
  return { ...plan, flops: estimateFlops(config, plan, referenceForward) };
}

/**
 * Training FLOPs of the standard dense run, what every training "× dense" divides by, as the
 * RigL paper and the report count them: the full-width dense model trained for this run's epochs
 * at multiplier 1× on the same data with the same batch. So RigL-ERK 2× at 80% is 0.70×, dense 2×
 * is 2×, and a Small-Dense run is below 1×.
 */
export function standardDenseTrainFlops(config: RunConfig): number {
  return denseTrainFlops(config, referenceForwardFlops(config), stepsPerEpochOf(config));
}

/** A run's training FLOPs as a multiple of the standard dense run's (null while not measured). */
export function trainFlopsRatio(trainFlops: number | null, config: RunConfig): number | null {
  return trainFlops === null ? null : flopsRatio(trainFlops, standardDenseTrainFlops(config));
}

/** One layer of a trained network: its active weights of `params`, and its forward FLOPs per example at that density. */
export interface TrainedLayer {
  active: number;
  params: number;
  flops: number;
}

/** What a run's results say of its final network, from its layers: the trainer's at the end, or the last ones it recorded. */
export function finalNetwork(
  layers: readonly TrainedLayer[],
  plan: Pick<RunPlan, 'flops' | 'parameters'>,
): { inferenceFlops: number; inferenceFlopsRatio: number; finalSparsity: number; parameters: number } {
  const sum = (key: keyof TrainedLayer): number => layers.reduce((a, l) => a + l[key], 0);
  return {
    inferenceFlops: sum('flops'),
    inferenceFlopsRatio: sum('flops') / plan.flops.referenceForward,
    finalSparsity: 1 - sum('active') / sum('params'),
    parameters: plan.parameters,
  };
}

function denseTrainFlops(config: RunConfig, referenceForward: number, stepsPerEpoch: number): number {
  return 3 * referenceForward * config.batchSize * stepsPerEpoch * trainedEpochs({ epochs: config.epochs, trainingMultiplier: 1 });
}

/** Dense forward FLOPs of one example through the published architecture (width multiplier 1). */
function referenceForwardFlops(config: RunConfig): number {
  return denseForwardFlops(maskedLayers(buildModelSpec(config.model, config.dataset, { dropout: config.dropout })));
}

/** The last incomplete batch of an epoch is dropped, so that every step sees the same batch size. */
function stepsPerEpochOf(config: RunConfig): number {
  return Math.floor(trainingExamples(config.dataset, config.validationFraction, config.trainSubset) / config.batchSize);
}

function estimateFlops(
  config: RunConfig,
  plan: Pick<RunPlan, 'layers' | 'allocation' | 'totalSteps' | 'stepsPerEpoch' | 'dropGrow' | 'pruning'>,
  referenceForward: number,
): FlopEstimate {
  const denseForward = denseForwardFlops(plan.layers);
  const finalDensities = plan.allocation.map((a) => a.active / a.params);
  const inference = sparseForwardFlops(plan.layers, finalDensities);
  let perExample = 0;
  if (plan.pruning) {
    const schedule = plan.pruning;
    let densities = plan.layers.map(() => 1);
    // An event prunes after its step's optimizer step: that step trained at the densities before it.
    for (let t = 0; t < plan.totalSteps; t++) {
      perExample += 3 * sparseForwardFlops(plan.layers, densities);
      if (isPruningStep(t, schedule)) {
        densities = plan.allocation.map((a) => pruningActiveCount(t, a.params, a.active, schedule) / a.params);
      }
    }
  } else {
    const sparse = sparseForwardFlops(plan.layers, finalDensities);
    // The steps at which updatesRunning holds: every one before T_end, or none.
    const running = plan.dropGrow !== null && updatesRunning(0, plan.dropGrow) ? Math.min(plan.dropGrow.endStep, plan.totalSteps) : 0;
    const step = (updatesRunning: boolean): number =>
      trainingFlopsPerExample({
        method: config.method,
        sparse,
        dense: denseForward,
        deltaT: config.maskUpdate.deltaT,
        updatesRunning,
      });
    perExample = running * step(true) + (plan.totalSteps - running) * step(false);
  }
  const train = perExample * config.batchSize;
  const denseTrain = denseTrainFlops(config, referenceForward, plan.stepsPerEpoch);
  return {
    denseForward,
    referenceForward,
    inference,
    inferenceRatio: flopsRatio(inference, referenceForward),
    train,
    trainRatio: flopsRatio(train, denseTrain),
    denseTrain,
  };
}

/** The epochs a run trains: its recipe's, times its training multiplier (RigL's 2×, 5×), at least one. */
export function trainedEpochs(config: Pick<RunConfig, 'epochs' | 'trainingMultiplier'>): number {
  return Math.max(1, Math.round(config.epochs * config.trainingMultiplier));
}
