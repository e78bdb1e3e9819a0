import { allocateBatch, checkBatchSize, writeLabel } from './batch-buffers.js';
import { imageBytes } from './image-set.js';
import { normalizationTable } from './normalization.js';
import type { Batch, ChannelStats, ImageSet } from './types.js';
import { writeImage } from './write-image.js';

/**
 * The whole set in its own order, `batchSize` at a time, the last batch holding the remainder.
 * Every batch reuses the same arrays (the last as shorter views of them).
 */
export function* evaluationBatches(
  set: ImageSet,
  batchSize: number,
  stats: ChannelStats,
  oneHotClasses?: number,
): Generator<Batch, void, undefined> {
  checkBatchSize(batchSize);
  const size = imageBytes(set);
  const table = normalizationTable(stats);
  const buffers = allocateBatch(Math.min(batchSize, set.count), size, oneHotClasses ?? null);
  const classes = oneHotClasses ?? 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const rows = Math.min(batchSize, set.count - start);
    const batch: Batch =
      rows === buffers.size
        ? buffers
        : {
            images: buffers.images.subarray(0, rows * size),
            labels: buffers.labels.subarray(0, rows),
            oneHot: buffers.oneHot?.subarray(0, rows * classes) ?? null,
            size: rows,
          };
    for (let row = 0; row < rows; row++) {
      const example = start + row;
      writeImage(set.images, example * size, set.shape, table, batch.images, row * size, 0, 0, false);
      writeLabel(batch, row, set.labels[example]!);
    }
    yield batch;
  }
}
