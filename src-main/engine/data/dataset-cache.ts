import { mkdir } from 'node:fs/promises';
import { DATASET_INFO } from '../../../src-shared/datasets.js';
import type { DatasetName } from '../../../src-shared/names.js';
import { readSplitCache, writeSplitCache } from './cache.js';
import { entryKind } from './entry-kind.js';
import { DatasetError } from './errors.js';
import { cacheFile } from './layout.js';
import type { Splits } from './sources.js';
import type { LoadedDataset } from './types.js';

/** Writes both splits' caches into a dataset folder; returns their SHA-256s. */
export async function writeDatasetCache(
  folder: string,
  name: DatasetName,
  splits: Splits,
  source: string,
): Promise<LoadedDataset['checksums']> {
  await mkdir(folder, { recursive: true });
  const fields = { dataset: name, classes: DATASET_INFO[name].classes, source };
  const train = await writeSplitCache(cacheFile(folder, 'train'), { ...fields, split: 'train' }, splits.train);
  const test = await writeSplitCache(cacheFile(folder, 'test'), { ...fields, split: 'test' }, splits.test);
  return { train: train.sha256, test: test.sha256 };
}

/** The dataset from its caches; null when there are none, an error naming the file when one is missing or bad. */
export async function readDatasetCache(folder: string, name: DatasetName): Promise<LoadedDataset | null> {
  const trainFile = cacheFile(folder, 'train');
  const testFile = cacheFile(folder, 'test');
  const [hasTrain, hasTest] = await Promise.all([trainFile, testFile].map(async (f) => (await entryKind(f)) !== null));
  if (!hasTrain && !hasTest) return null;
  if (!hasTest) throw new DatasetError(testFile, `is missing beside ${trainFile}`);
  if (!hasTrain) throw new DatasetError(trainFile, `is missing beside ${testFile}`);
  const train = await readSplitCache(trainFile, name, 'train');
  const test = await readSplitCache(testFile, name, 'test');
  return {
    name,
    train: train.set,
    test: test.set,
    classes: DATASET_INFO[name].classes,
    source: train.header.source,
    cachedIn: folder,
    checksums: { train: train.header.sha256, test: test.header.sha256 },
  };
}
