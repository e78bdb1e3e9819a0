import type { RunConfig } from '../../src-shared/config/run.js';
import { DISTRIBUTION_LABELS } from '../../src-shared/names.js';
import { sparsityLabel } from '../../src-shared/report/format.js';
import { everyValueOf, otherFields } from '../../src-shared/report/labels.js';
import { variantOf } from '../../src-shared/report/variants.js';
import { layerOverridesText } from '../../src-shared/report/layer-overrides.js';

/** Fields the name always states when they are not the norm. */
const ALWAYS_NAMED = ['widthMultiplier', 'trainingMultiplier'];

/**
 * The label a run gets when none is given: the fields a grid usually varies, in the report's
 * vocabulary (RigL-SM, Small-Dense ×0.11, 2× training), then the other fields of `varying` (those
 * its experiment sweeps, e.g. α 0.1 · ΔT 50) that its method reads, so that no two runs of a sweep
 * share a name.
 */
export function defaultRunName(config: RunConfig, varying: readonly string[] = []): string {
  let head = variantOf(config).label;
  if (config.method !== 'dense') head += ` ${DISTRIBUTION_LABELS[config.distribution]} ${sparsityLabel(config.sparsity)}`;
  const overrides = layerOverridesText(config);
  if (overrides !== null) head += ` (${overrides})`;
  if (config.widthMultiplier !== 1) head += ` ×${config.widthMultiplier}`;
  if (config.trainingMultiplier !== 1) head += ` ${config.trainingMultiplier}× training`;
  const swept = otherFields(config, everyValueOf(varying.filter((p) => !ALWAYS_NAMED.includes(p))));
  return [head, ...swept, config.model, `seed ${config.seed}`].join(' · ');
}
