import type { RunConfig } from '../config/run.js';
import { METHOD_COLORS, shade } from '../charts/palette.js';
import { DROP_GROW_METHODS, METHOD_LABELS, METHODS } from '../names.js';

/**
 * What a run is in the report's vocabulary: its method, told apart further where the report does
 * so — a dense network narrowed to a sparse one's parameter count is "Small-Dense", and RigL whose
 * regrowth is shared out by momentum or gradient is "RigL-SM" or "RigL-SG".
 */
export interface Variant {
  key: string;
  label: string;
  color: string;
  /** Position in legends and tables: methods in their usual order, each variant after its method. */
  order: number;
}

/** Olive: apart from every method colour, and from the dark slate of the full dense network. */
const SMALL_DENSE_COLOR = '#8aa34a';

const REDISTRIBUTION_SUFFIX = { momentum: 'SM', gradient: 'SG' } as const;

export function isSmallDense(config: RunConfig): boolean {
  return config.method === 'dense' && config.widthMultiplier < 1;
}

export function isFullDense(config: RunConfig): boolean {
  return config.method === 'dense' && !isSmallDense(config);
}

export function variantOf(config: RunConfig): Variant {
  const index = METHODS.indexOf(config.method) * 3;
  if (isSmallDense(config)) return { key: 'small-dense', label: 'Small-Dense', color: SMALL_DENSE_COLOR, order: index + 1 };
  const redistribution = config.maskUpdate.redistribution;
  if (DROP_GROW_METHODS.includes(config.method) && redistribution !== 'none') {
    const suffix = REDISTRIBUTION_SUFFIX[redistribution];
    const k = redistribution === 'momentum' ? 1 : 2;
    return {
      key: `${config.method}-${suffix.toLowerCase()}`,
      label: `${METHOD_LABELS[config.method]}-${suffix}`,
      // Darker for momentum, lighter for gradient: the method's hue stays, so RigL-SM still reads as RigL.
      color: shade(METHOD_COLORS[config.method], k === 1 ? 0 : 2, 3),
      order: index + k,
    };
  }
  return { key: config.method, label: METHOD_LABELS[config.method], color: METHOD_COLORS[config.method], order: index };
}
