import type { RunConfig } from '../config/run.js';
import { fieldApplies } from './comparable.js';
import { sparsityLabel } from './format.js';

/**
 * Where a sparse config departs from its distribution, layer by layer: "fc1 99%, first layer
 * dense"; null where it does not (or trains dense). Its nominal sparsity is then not the one
 * reached, so names, `show` and reports say so.
 */
export function layerOverridesText(config: Pick<RunConfig, 'method' | 'denseFirstLayer' | 'layerSparsity'>): string | null {
  if (!fieldApplies('layerSparsity', config.method)) return null;
  const parts = Object.entries(config.layerSparsity).map(([layer, sparsity]) => `${layer} ${sparsityLabel(sparsity)}`);
  if (config.denseFirstLayer) parts.push('first layer dense');
  return parts.length > 0 ? parts.join(', ') : null;
}
