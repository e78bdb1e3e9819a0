import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DatasetName } from '../../../src-shared/names.js';
import { replaceFolder } from './atomic-file.js';
import { writeDatasetCache } from './dataset-cache.js';
import { DatasetError } from './errors.js';
import { otherDatasetProblem } from './identity.js';
import { datasetDir, rawDir } from './layout.js';
import { decodeRawSource, locateRawSource, rawSourceFiles } from './sources.js';
import type { LoadedDataset } from './types.js';

export interface ImportResult {
  /** The dataset's folder in the data directory. */
  folder: string;
  trainCount: number;
  testCount: number;
  checksums: LoadedDataset['checksums'];
}

/**
 * Copies a dataset's original files into `<dataDir>/<name>/raw/` and writes its cache. `path` is
 * the official archive (CIFAR), or a folder with the archive, its unpacked files, or (IDX) the
 * four files, gzip or not. Every file is decoded and checked (MNIST's files holding Fashion-MNIST,
 * or the reverse, are refused) before anything is written; the
 * new folder is assembled beside the old one and swapped in, so a failed import leaves nothing.
 */
export async function importDataset(name: DatasetName, path: string, dataDir: string): Promise<ImportResult> {
  const source = await locateRawSource(name, path);
  if (source === null) throw new DatasetError(path, 'does not exist');
  const splits = await decodeRawSource(source);
  const misnamed = otherDatasetProblem(name, splits.train);
  if (misnamed !== null) throw new DatasetError(path, misnamed);
  await mkdir(dataDir, { recursive: true });
  const folder = datasetDir(dataDir, name);
  const staging = await mkdtemp(join(dataDir, `.${name}.import-`));
  try {
    for (const file of rawSourceFiles(source)) {
      const target = join(rawDir(staging), file.keepAs);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file.path, target);
    }
    const checksums = await writeDatasetCache(staging, name, splits, rawDir(folder));
    await replaceFolder(staging, folder);
    return { folder, trainCount: splits.train.count, testCount: splits.test.count, checksums };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
