import type { RunConfig } from '../../src-shared/config/run.js';
import { METHOD_LABELS } from '../../src-shared/names.js';
import { DISTRIBUTION_LABELS } from '../format/labels.js';
import { sparsityLabel } from '../format/numbers.js';
import { fieldApplies } from './comparable.js';
import { fieldValue, showValue } from './config-diff.js';

const NAMED = ['method', 'distribution', 'sparsity'];

/** How a varying field reads inside a label; fields not listed use their last path segment. */
const SHORT_NAMES: Record<string, string> = {
  'maskUpdate.alpha': 'α',
  'maskUpdate.deltaT': 'ΔT',
  'maskUpdate.redistribution': 'redistribution',
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

/** "RigL · ERK · 90% · alpha 0.5": the method, then whatever else varies. */
export function configLabel(config: RunConfig, varying: readonly string[], withSparsity: boolean): string {
  const parts: string[] = [METHOD_LABELS[config.method]];
  if (config.method !== 'dense') {
    if (varying.includes('distribution')) parts.push(DISTRIBUTION_LABELS[config.distribution]);
    if (withSparsity && varying.includes('sparsity')) parts.push(sparsityLabel(config.sparsity));
  }
  parts.push(...otherFields(config, varying));
  return parts.join(' · ');
}
