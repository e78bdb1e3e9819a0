import { DATASET_INFO } from '../../../src-shared/datasets.js';
import type { DatasetName } from '../../../src-shared/names.js';
import type { ImageSet } from './types.js';

/**
 * MNIST and Fashion-MNIST share one file format, names and sizes, so one imports as the other
 * without a complaint from the decoder; their training images tell them apart. Mean pixel on the
 * [0, 1] scale of the official training sets: MNIST 0.1307, Fashion-MNIST 0.2860 (each the
 * figure its normalisation is usually quoted with).
 */
const MEAN_PIXEL: Partial<Record<DatasetName, number>> = { mnist: 0.1307, 'fashion-mnist': 0.286 };

/** How far from a set's mean pixel a copy of it may be (a subset, another split) and still count as that set. */
const TOLERANCE = 0.04;

/** The mean pixel of a set's images on the [0, 1] scale. */
export function meanPixel(set: ImageSet): number {
  let sum = 0;
  for (let i = 0; i < set.images.length; i++) sum += set.images[i]!;
  return set.images.length === 0 ? 0 : sum / set.images.length / 255;
}

/**
 * Why training images given as `name` are another dataset's (Fashion-MNIST's imported as MNIST,
 * or the reverse), or null where nothing says so.
 */
export function otherDatasetProblem(name: DatasetName, train: ImageSet): string | null {
  if (MEAN_PIXEL[name] === undefined) return null;
  const mean = meanPixel(train);
  const [other] = (Object.entries(MEAN_PIXEL) as Array<[DatasetName, number]>).filter(([n, m]) => n !== name && Math.abs(mean - m) <= TOLERANCE && Math.abs(mean - MEAN_PIXEL[name]!) > TOLERANCE);
  if (other === undefined) return null;
  const [otherName, otherMean] = other;
  return (
    `holds ${DATASET_INFO[otherName].label}, not ${DATASET_INFO[name].label}: its training images' mean pixel is ${mean.toFixed(3)}, ` +
    `as ${DATASET_INFO[otherName].label}'s (${otherMean}) and not ${DATASET_INFO[name].label}'s (${MEAN_PIXEL[name]}); import it as ${otherName}`
  );
}
