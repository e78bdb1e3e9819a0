import type { RunConfig } from '../config/run.js';
import { buildModelSpec } from '../models/index.js';
import { maskedLayers } from '../models/spec.js';
import { fieldApplies } from './comparable.js';
import { sparsityLabel } from './format.js';

type LayerConfig = Pick<RunConfig, 'method' | 'model' | 'dataset' | 'widthMultiplier' | 'denseFirstLayer' | 'layerSparsity'>;

/**
 * Where a sparse config departs from its distribution, layer by layer: "fc1 99%, dense first
 * layer"; null where it does not (or trains dense). Its nominal sparsity is then not the one
 * reached, so names, `show` and reports say so.
 */
export function layerOverridesText(config: LayerConfig): string | null {
  if (!fieldApplies('layerSparsity', config.method)) return null;
  const parts = Object.entries(config.layerSparsity).map(([layer, sparsity]) => `${layer} ${sparsityLabel(sparsity)}`);
  // A sparsity given for the first layer wins over keeping it dense (sparsity/distribution.ts).
  if (config.denseFirstLayer && !firstLayerGiven(config)) parts.push('dense first layer');
  return parts.length > 0 ? parts.join(', ') : null;
}

function firstLayerGiven(config: LayerConfig): boolean {
  const first = maskedLayers(buildModelSpec(config.model, config.dataset, { widthMultiplier: config.widthMultiplier }))[0];
  return first !== undefined && config.layerSparsity[first.name] !== undefined;
}
