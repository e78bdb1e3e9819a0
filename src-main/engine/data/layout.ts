import { join } from 'node:path';
import type { DatasetName } from '../../../src-shared/names.js';
import type { SplitName } from './cache.js';

/**
 * Where each dataset lives: `<dataDir>/<dataset>/` holds `train.cache` and `test.cache` (the
 * decoded splits) and `raw/` (an imported or downloaded copy of the original files).
 */
export function datasetDir(dataDir: string, name: DatasetName): string {
  return join(dataDir, name);
}

export function rawDir(datasetFolder: string): string {
  return join(datasetFolder, 'raw');
}

export function cacheFile(datasetFolder: string, split: SplitName): string {
  return join(datasetFolder, `${split}.cache`);
}

/** Folders where a system package may have installed a dataset, looked at after the data directory. */
export type SystemDirs = Record<DatasetName, readonly string[]>;

export const DEFAULT_SYSTEM_DIRS: SystemDirs = {
  mnist: ['/usr/share/datasets/mnist'],
  // Debian's dataset-fashion-mnist package.
  'fashion-mnist': ['/usr/share/datasets/fashion-mnist'],
  cifar10: [],
  cifar100: [],
};
