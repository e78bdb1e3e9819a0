import { describe, expect, it } from 'vitest';
import { evaluationBatches } from '../../src-main/engine/data/evaluation-batches.js';
import { normalizationTable } from '../../src-main/engine/data/normalization.js';
import {
  TrainingBatches,
  trainingBatchStateSchema,
  type TrainingBatchOptions,
} from '../../src-main/engine/data/training-batches.js';
import type { Batch, ImageSet } from '../../src-main/engine/data/types.js';
import { writeImage } from '../../src-main/engine/data/write-image.js';

/** `count` images of `shape` whose every byte is the example index, labelled with the index. */
function indexSet(count: number, shape: [number, number, number]): ImageSet {
  const size = shape[0] * shape[1] * shape[2];
  const images = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) images.fill(i, i * size, (i + 1) * size);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i), count, shape };
}

function copy(batch: Batch): { images: number[]; labels: number[] } {
  return { images: [...batch.images], labels: [...batch.labels] };
}

function take(batches: TrainingBatches, n: number): Array<{ images: number[]; labels: number[] }> {
  return Array.from({ length: n }, () => copy(batches.next()));
}

const stats = { mean: [0.5], std: [0.25] };
const plain: TrainingBatchOptions = { batchSize: 4, seed: 7, stats, augment: false };

describe('training batches', () => {
  it('normalises pixels as (x/255 − mean)/std and returns the labels', () => {
    // Pixels 0, 51 and 255 with mean 0.5, std 0.25: (0 − 0.5)/0.25 = −2, (0.2 − 0.5)/0.25 = −1.2, (1 − 0.5)/0.25 = 2.
    const set: ImageSet = { images: Uint8Array.of(0, 51, 255), labels: Uint8Array.of(2, 0, 1), count: 3, shape: [1, 1, 1] };
    const batch = new TrainingBatches(set, { batchSize: 3, seed: 1, stats, augment: false, oneHotClasses: 3 }).next();
    const byLabel = new Map([...batch.labels].map((label, row) => [label, row]));
    expect(batch.images[byLabel.get(2)!]).toBeCloseTo(-2, 6);
    expect(batch.images[byLabel.get(0)!]).toBeCloseTo(-1.2, 6);
    expect(batch.images[byLabel.get(1)!]).toBeCloseTo(2, 6);
    for (let row = 0; row < 3; row++) {
      const expected = [0, 0, 0];
      expected[batch.labels[row]!] = 1;
      expect([...batch.oneHot!.subarray(row * 3, row * 3 + 3)]).toEqual(expected);
    }
  });

  it('visits every example once per epoch in full batches, dropping the remainder', () => {
    const batches = new TrainingBatches(indexSet(10, [2, 2, 1]), { ...plain, batchSize: 3 });
    expect(batches.batchesPerEpoch).toBe(3);
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen: number[] = [];
      for (let b = 0; b < 3; b++) {
        expect(batches.position).toEqual({ epoch, batch: b });
        const batch = batches.next();
        expect(batch.size).toBe(3);
        seen.push(...batch.labels);
        // Each image's pixels belong to its label's example.
        const table = normalizationTable(stats);
        batch.labels.forEach((label, row) => expect(batch.images[row * 4]).toBeCloseTo(table[label]!, 6));
      }
      expect(new Set(seen).size).toBe(9);
    }
    expect(batches.position).toEqual({ epoch: 3, batch: 0 });
  });

  it('gives the same batches for the same seed, a new order each epoch, another order for another seed', () => {
    const set = indexSet(40, [2, 2, 1]);
    const a = take(new TrainingBatches(set, plain), 20);
    const b = take(new TrainingBatches(set, plain), 20);
    expect(a).toEqual(b);
    const epoch0 = a.slice(0, 10).flatMap((x) => x.labels);
    const epoch1 = a.slice(10, 20).flatMap((x) => x.labels);
    expect(epoch1).not.toEqual(epoch0);
    expect([...epoch1].sort((x, y) => x - y)).toEqual([...epoch0].sort((x, y) => x - y));
    const other = take(new TrainingBatches(set, { ...plain, seed: 8 }), 10).flatMap((x) => x.labels);
    expect(other).not.toEqual(epoch0);
  });

  it('keeps the same order with augmentation on or off', () => {
    const set = indexSet(40, [8, 8, 3]);
    const off = take(new TrainingBatches(set, plain), 15).map((x) => x.labels);
    const on = take(new TrainingBatches(set, { ...plain, augment: true }), 15).map((x) => x.labels);
    expect(on).toEqual(off);
  });

  it.each([
    ['mid-epoch', 13],
    ['at an epoch end', 10],
    ['at the start', 0],
  ])('continues exactly after a restore taken %s, augmentation included', (_, before) => {
    const set = cifarLike(40);
    const options = { ...plain, augment: true, seed: 3 };
    const original = new TrainingBatches(set, options);
    take(original, before);
    const saved = trainingBatchStateSchema.parse(JSON.parse(JSON.stringify(original.state())));
    const expected = take(original, 12);
    const resumed = new TrainingBatches(set, { ...options });
    take(resumed, 3);
    resumed.restore(saved);
    expect(take(resumed, 12)).toEqual(expected);
  });

  it('rejects a state that does not fit the batcher', () => {
    const batches = new TrainingBatches(indexSet(10, [1, 1, 1]), plain);
    const state = batches.state();
    expect(() => batches.restore({ ...state, batch: 3 })).toThrow('batch 3 is past the 2 batches of an epoch');
    expect(() => batches.restore({ ...state, order: [0, 0, 0, 0] })).toThrow(/must not be all zero/);
  });

  it('rejects a batch larger than the set', () => {
    expect(() => new TrainingBatches(indexSet(3, [1, 1, 1]), plain)).toThrow('batch size 4 is larger than the 3 training examples');
  });

  it('augments with shifts of at most 4 pixels and flips, each image one crop of its source', () => {
    const set = cifarLike(16);
    const table = normalizationTable({ mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    const batches = new TrainingBatches(set, { batchSize: 16, seed: 5, stats: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, augment: true });
    const size = 32 * 32 * 3;
    const used = new Set<string>();
    for (let b = 0; b < 4; b++) {
      const batch = batches.next();
      batch.labels.forEach((example, row) => {
        const got = batch.images.subarray(row * size, (row + 1) * size);
        const match = candidates().find(([dy, dx, flip]) => {
          const want = new Float32Array(size);
          writeImage(set.images, example * size, set.shape, table, want, 0, dy, dx, flip);
          return want.every((v, i) => v === got[i]);
        });
        expect(match).toBeDefined();
        used.add(match!.join());
      });
    }
    // 64 draws over 162 (dy, dx, flip) choices: many distinct ones, both flips.
    expect(used.size).toBeGreaterThan(40);
    expect([...used].some((m) => m.endsWith('true'))).toBe(true);
    expect([...used].some((m) => m.endsWith('false'))).toBe(true);
  });
});

describe('evaluation batches', () => {
  it('covers the set in order, the last batch holding the remainder', () => {
    const set = indexSet(10, [1, 2, 1]);
    const table = normalizationTable(stats);
    // Copied as they come: every batch reuses the same arrays.
    const seen = [];
    for (const batch of evaluationBatches(set, 4, stats, 10)) {
      seen.push({ size: batch.size, labels: [...batch.labels], images: [...batch.images], oneHotRows: batch.oneHot!.length / 10 });
    }
    expect(seen.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(seen.flatMap((b) => b.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen[2]!.images).toEqual([8, 8, 9, 9].map((v) => table[v]));
    expect(seen[2]!.oneHotRows).toBe(2);
  });

  it('gives one short batch when the set is smaller than a batch', () => {
    expect([...evaluationBatches(indexSet(3, [1, 1, 1]), 8, stats)].map((b) => b.size)).toEqual([3]);
  });
});

/** 32×32×3 images with distinct pixels, labelled with their index. */
function cifarLike(count: number): ImageSet {
  const size = 32 * 32 * 3;
  const images = Uint8Array.from({ length: count * size }, (_, i) => (i * 7 + Math.floor(i / size) * 31) & 255);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i), count, shape: [32, 32, 3] };
}

function candidates(): Array<[number, number, boolean]> {
  const out: Array<[number, number, boolean]> = [];
  for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) for (const flip of [false, true]) out.push([dy, dx, flip]);
  return out;
}
