import type { RunConfig } from '../../src-shared/config/run.js';
import { DISTRIBUTION_LABELS, METHOD_LABELS } from '../../src-shared/names.js';

/** The label a run gets when none is given: the fields a grid usually varies. */
export function defaultRunName(config: RunConfig): string {
  const sparse =
    config.method === 'dense' ? '' : ` ${DISTRIBUTION_LABELS[config.distribution]} ${Number((config.sparsity * 100).toFixed(2))}%`;
  return `${METHOD_LABELS[config.method]}${sparse} · ${config.model} · seed ${config.seed}`;
}
