import type { RunConfig } from '../config/run.js';
import { DISTRIBUTION_LABELS } from '../names.js';
import { sparsityLabel } from './format.js';
import { fieldApplies } from './comparable.js';
import { fieldValue, showValue } from './config-diff.js';
import { variantOf } from './variants.js';

/** Fields a label names in its own way: the variant says the method and its redistribution. */
const NAMED = ['method', 'distribution', 'sparsity', 'maskUpdate.redistribution'];

/** How a varying field reads inside a label; fields not listed use their last path segment. */
const SHORT_NAMES: Record<string, string> = {
  'maskUpdate.alpha': 'α',
  'maskUpdate.deltaT': 'ΔT',
  trainingMultiplier: 'training ×',
  widthMultiplier: 'width ×',
  'optimizer.lr': 'lr',
  'optimizer.weightDecay': 'weight decay',
};

/** A full-width model is the norm: only Small-Dense (narrower) runs say their width. */
const UNREMARKABLE: Record<string, unknown> = { widthMultiplier: 1 };

/** Varying fields other than method, distribution and sparsity that this run's method reads, as "α 0.5". */
export function otherFields(config: RunConfig, varying: readonly string[]): string[] {
  return varying
    .filter((p) => !NAMED.includes(p) && fieldApplies(p, config.method) && fieldValue(config, p) !== UNREMARKABLE[p])
    .map((p) => `${SHORT_NAMES[p] ?? p.split('.').pop() ?? p} ${showValue(fieldValue(config, p))}`);
}

/** "RigL-SM · ERK · 90% · α 0.5": the method's variant, then whatever else varies. */
export function configLabel(config: RunConfig, varying: readonly string[], withSparsity: boolean): string {
  const parts: string[] = [variantOf(config).label];
  if (config.method !== 'dense') {
    if (varying.includes('distribution')) parts.push(DISTRIBUTION_LABELS[config.distribution]);
    if (withSparsity && varying.includes('sparsity')) parts.push(sparsityLabel(config.sparsity));
  }
  parts.push(...otherFields(config, varying));
  return parts.join(' · ');
}
