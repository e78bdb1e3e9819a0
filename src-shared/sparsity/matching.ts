import type { RunConfig } from '../config/run.js';
import { buildModelSpec, maskedLayers, parameterCount } from '../models/index.js';
import type { DistributionName } from '../names.js';
import { floorCount } from './counts.js';
import { allocateDensities } from './distribution.js';
import { sparseForwardFlops } from './flops.js';

type ModelChoice = Pick<RunConfig, 'model' | 'dataset'>;
type SparseChoice = ModelChoice & Pick<RunConfig, 'denseFirstLayer' | 'layerSparsity'>;

/** Parameters of the sparse network: active masked weights plus the biases and BatchNorm parameters, which stay dense. */
export function sparseParameterCount(choice: ModelChoice, sparsity: number): number {
  const spec = buildModelSpec(choice.model, choice.dataset);
  const layers = maskedLayers(spec);
  const masked = layers.reduce((a, l) => a + l.params, 0);
  const active = layers.reduce((a, l) => a + l.params - floorCount(sparsity, l.params), 0);
  return parameterCount(spec) - masked + active;
}

/**
 * The Small-Dense baseline: the width multiplier whose dense network has as many parameters as
 * the sparse one at `sparsity` (the closest the rounded layer widths allow).
 */
export function smallDenseWidth(choice: ModelChoice, sparsity: number): number {
  const target = sparseParameterCount(choice, sparsity);
  const count = (w: number) => parameterCount(buildModelSpec(choice.model, choice.dataset, { widthMultiplier: w }));
  let lo = 1e-3;
  let hi = 1;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (count(mid) < target) lo = mid;
    else hi = mid;
  }
  // Widths are whole units: of the two sides of the crossing, keep the closer count, at 4
  // decimals, rounded away from the crossing (rounded to the nearest, both sides could land on one).
  const candidates = [Math.floor(lo * 1e4) / 1e4, Math.ceil(hi * 1e4) / 1e4];
  return candidates.reduce((best, w) => (Math.abs(count(w) - target) < Math.abs(count(best) - target) ? w : best));
}

/** Forward FLOPs per example of the masks a distribution gives at `sparsity`. */
export function inferenceFlopsAt(choice: SparseChoice, distribution: DistributionName, sparsity: number): number {
  const layers = maskedLayers(buildModelSpec(choice.model, choice.dataset));
  const allocation = allocateDensities(layers, {
    sparsity,
    distribution,
    denseFirstLayer: choice.denseFirstLayer,
    overrides: choice.layerSparsity,
  });
  return sparseForwardFlops(layers, allocation.map((a) => a.active / a.params));
}

/**
 * The sparsity at which `distribution` costs `targetFlops` per example at inference, e.g. ERK
 * matched to uniform's FLOPs at 90% (the report's "fixed FLOPs" comparison). FLOPs fall as
 * sparsity rises, so bisection finds it; 4 decimals.
 */
export function sparsityForInferenceFlops(choice: SparseChoice, distribution: DistributionName, targetFlops: number): number {
  let lo = 0;
  let hi = 0.9999;
  if (inferenceFlopsAt(choice, distribution, hi) > targetFlops) {
    throw new Error(`${distribution} cannot get down to ${Math.round(targetFlops)} FLOPs per example on ${choice.model}`);
  }
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (inferenceFlopsAt(choice, distribution, mid) > targetFlops) lo = mid;
    else hi = mid;
  }
  return Math.round(hi * 1e4) / 1e4;
}

/** The sparsity a Small-Dense network matches: 1 − its parameters over the full model's masked ones. */
export function smallDenseMatchedSparsity(choice: ModelChoice, widthMultiplier: number): number {
  const full = buildModelSpec(choice.model, choice.dataset);
  const fullMasked = maskedLayers(full).reduce((a, l) => a + l.params, 0);
  const small = parameterCount(buildModelSpec(choice.model, choice.dataset, { widthMultiplier }));
  return 1 - (small - (parameterCount(full) - fullMasked)) / fullMasked;
}
