import { DATASET_INFO } from '../datasets.js';
import { MODEL_NAMES_HINT, MODEL_PATTERN, type DatasetName } from '../names.js';
import { lenet5, lenet5Classic } from './lenet5.js';
import { mlp } from './mlp.js';
import type { ModelOptions } from './options.js';
import { resnet50 } from './resnet50.js';
import type { ModelSpec } from './spec.js';
import { wrn } from './wrn.js';

export * from './spec.js';
export type { ModelOptions } from './options.js';

export interface BuildModelOptions {
  dropout?: number;
  widthMultiplier?: number;
}

/** The architecture named `name` for `dataset`'s image shape and class count. */
export function buildModelSpec(name: string, dataset: DatasetName, extra: BuildModelOptions = {}): ModelSpec {
  const info = DATASET_INFO[dataset];
  const opts: ModelOptions = {
    inputShape: info.imageShape,
    classes: info.classes,
    dropout: extra.dropout ?? 0,
    widthMultiplier: extra.widthMultiplier ?? 1,
  };
  const match = MODEL_PATTERN.exec(name);
  if (!match) throw new Error(`unknown model "${name}": use ${MODEL_NAMES_HINT}`);
  if (name === 'mlp') return mlp(opts);
  if (name === 'lenet5') return lenet5(opts);
  if (name === 'lenet5-classic') return lenet5Classic(opts);
  if (name === 'resnet50') return resnet50(opts);
  return wrn(Number(match[2]), Number(match[3]), opts);
}
