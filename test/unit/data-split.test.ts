import { describe, expect, it } from 'vitest';
import { trainingExamples } from '../../src-shared/datasets.js';
import { Random } from '../../src-shared/random.js';
import { firstExamples } from '../../src-main/engine/data/image-set.js';
import { channelStats } from '../../src-main/engine/data/normalization.js';
import { DATA_STREAMS } from '../../src-main/engine/data/random-streams.js';
import { prepareTrainingData, splitValidation } from '../../src-main/engine/data/split.js';
import type { ImageSet, LoadedDataset } from '../../src-main/engine/data/types.js';

/** `count` 1×1×2 images holding (index, 255 − index), labelled index mod 10; `labelOf` recovers the index. */
function indexed(count: number): ImageSet {
  const images = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) images.set([i, 255 - i], i * 2);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, shape: [1, 1, 2] };
}
const indices = (set: ImageSet): number[] => [...set.images.filter((_, i) => i % 2 === 0)];

describe('validation split', () => {
  it('holds out the last round(n·fraction) of the seeded permutation, both parts in original order', () => {
    const set = indexed(100);
    const { train, validation } = splitValidation(set, 0.1, 42);
    const permutation = Random.derive(42, DATA_STREAMS.validationSplit).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i));
    expect(indices(validation)).toEqual([...permutation.slice(90)].sort((a, b) => a - b));
    expect(train.count).toBe(90);
    expect(validation.count).toBe(10);
    expect([...indices(train), ...indices(validation)].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect(indices(train)).toEqual([...indices(train)].sort((a, b) => a - b));
    // Labels and the second channel travel with their images.
    expect([...validation.labels]).toEqual(indices(validation).map((i) => i % 10));
    expect([...validation.images.filter((_, i) => i % 2 === 1)]).toEqual(indices(validation).map((i) => 255 - i));
  });

  it('is deterministic in the seed', () => {
    const set = indexed(50);
    expect(indices(splitValidation(set, 0.2, 1).validation)).toEqual(indices(splitValidation(set, 0.2, 1).validation));
    expect(indices(splitValidation(set, 0.2, 1).validation)).not.toEqual(indices(splitValidation(set, 0.2, 2).validation));
  });

  it('rounds the holdout size and returns the set itself when nothing is held out', () => {
    expect(splitValidation(indexed(25), 0.1, 0).validation.count).toBe(3); // round(2.5) = 3
    const set = indexed(4);
    const none = splitValidation(set, 0.1, 0); // round(0.4) = 0
    expect(none.train).toBe(set);
    expect(none.validation.count).toBe(0);
    expect(() => splitValidation(set, 1, 0)).toThrow('validation fraction 1 is not in [0, 1)');
  });
});

describe('training data for a run', () => {
  const dataset: LoadedDataset = {
    name: 'mnist',
    train: indexed(200),
    test: indexed(30),
    classes: 10,
    source: 'test',
    cachedIn: null,
    checksums: { train: '', test: '' },
  };

  it('takes the first trainSubset examples, then the holdout, matching trainingExamples', () => {
    const data = prepareTrainingData(dataset, { validationFraction: 0.1, seed: 3, trainSubset: 50, testSubset: 7 });
    expect(data.train.count).toBe(trainingExamples('mnist', 0.1, 50));
    expect(data.train.count + data.validation.count).toBe(50);
    expect(Math.max(...indices(data.train), ...indices(data.validation))).toBe(49);
    expect(indices(data.test)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(data.stats).toEqual(channelStats(data.train));
    expect(data.classes).toBe(10);
  });

  it('uses every example when no subsets are given', () => {
    const data = prepareTrainingData(dataset, { validationFraction: 0, seed: 3, trainSubset: undefined, testSubset: undefined });
    expect(data.train).toBe(dataset.train);
    expect(data.test).toBe(dataset.test);
  });

  it('takes subsets as views of the first examples', () => {
    const sub = firstExamples(dataset.train, 5);
    expect(sub.images.buffer).toBe(dataset.train.images.buffer);
    expect(indices(sub)).toEqual([0, 1, 2, 3, 4]);
    expect(firstExamples(dataset.train, 1000).count).toBe(200);
  });
});
