import { DATASET_INFO } from '../../src-shared/datasets.js';
import type { DatasetName } from '../../src-shared/names.js';
import { Random } from '../../src-shared/random.js';
import { channelStats, type ImageSet } from '../../src-main/engine/data/index.js';
import type { TrainingData } from '../../src-main/engine/data/split.js';

/**
 * Random pixels and labels in a dataset's shape, for timing models whose dataset is not
 * installed (CIFAR here): step time does not depend on what the pixels show.
 */
export function syntheticTrainingData(dataset: DatasetName, trainCount: number, testCount: number, seed = 1): TrainingData {
  const info = DATASET_INFO[dataset];
  const rng = new Random(seed);
  const make = (count: number): ImageSet => {
    const images = new Uint8Array(count * info.imageShape[0] * info.imageShape[1] * info.imageShape[2]);
    for (let i = 0; i < images.length; i++) images[i] = rng.nextUint32() & 255;
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) labels[i] = rng.nextUint32() % info.classes;
    return { images, labels, count, shape: info.imageShape };
  };
  const train = make(trainCount);
  return { train, validation: make(0), test: make(testCount), stats: channelStats(train), classes: info.classes };
}
