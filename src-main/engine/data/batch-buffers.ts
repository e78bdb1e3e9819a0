import type { Batch } from './types.js';

/** Preallocated arrays for batches of up to `capacity` images of `imageSize` values. */
export function allocateBatch(capacity: number, imageSize: number, oneHotClasses: number | null): Batch {
  return {
    images: new Float32Array(capacity * imageSize),
    labels: new Int32Array(capacity),
    oneHot: oneHotClasses === null ? null : new Float32Array(capacity * oneHotClasses),
    size: capacity,
  };
}

export function writeLabel(batch: Batch, row: number, label: number): void {
  batch.labels[row] = label;
  if (batch.oneHot === null) return;
  const classes = batch.oneHot.length / batch.labels.length;
  batch.oneHot.fill(0, row * classes, (row + 1) * classes);
  batch.oneHot[row * classes + label] = 1;
}

export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size ${batchSize} is not a positive integer`);
}
