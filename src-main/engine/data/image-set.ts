import type { ImageSet } from './types.js';

export function imageBytes(set: Pick<ImageSet, 'shape'>): number {
  return set.shape[0] * set.shape[1] * set.shape[2];
}

/** The first `n` examples (all of them if there are fewer), as views that share the set's memory. */
export function firstExamples(set: ImageSet, n: number): ImageSet {
  const count = Math.min(n, set.count);
  return {
    images: set.images.subarray(0, count * imageBytes(set)),
    labels: set.labels.subarray(0, count),
    count,
    shape: set.shape,
  };
}

/** A copy holding the examples at `indices`, in that order. */
export function gatherExamples(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageBytes(set);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]!;
    images.set(set.images.subarray(from * size, (from + 1) * size), i * size);
    labels[i] = set.labels[from]!;
  }
  return { images, labels, count: indices.length, shape: set.shape };
}

/** One set holding the parts one after another (all parts share `shape`). */
export function concatImageSets(parts: ImageSet[], shape: [number, number, number]): ImageSet {
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const part of parts) {
    images.set(part.images, at * size);
    labels.set(part.labels, at);
    at += part.count;
  }
  return { images, labels, count, shape };
}
