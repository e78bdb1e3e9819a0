import type { RunConfig } from '../../src-shared/config/run.js';
import { DISTRIBUTION_LABELS } from '../../src-shared/names.js';
import { variantOf } from '../../src-shared/report/variants.js';

/**
 * The label a run gets when none is given: the fields a grid usually varies, in the report's
 * vocabulary (RigL-SM, Small-Dense ×0.11, 2× training).
 */
export function defaultRunName(config: RunConfig): string {
  const parts = [variantOf(config).label];
  if (config.method !== 'dense') parts[0] += ` ${DISTRIBUTION_LABELS[config.distribution]} ${Number((config.sparsity * 100).toFixed(2))}%`;
  if (config.widthMultiplier !== 1) parts[0] += ` ×${config.widthMultiplier}`;
  if (config.trainingMultiplier !== 1) parts[0] += ` ${config.trainingMultiplier}× training`;
  return [...parts, config.model, `seed ${config.seed}`].join(' · ');
}
