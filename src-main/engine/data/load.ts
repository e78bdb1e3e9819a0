import { DATASET_INFO } from '../../../src-shared/datasets.js';
import type { DatasetName } from '../../../src-shared/names.js';
import { splitSha256 } from './cache.js';
import { readDatasetCache, writeDatasetCache } from './dataset-cache.js';
import { DatasetError, DatasetMissingError, errorMessage } from './errors.js';
import { DEFAULT_SYSTEM_DIRS, datasetDir, rawDir, type SystemDirs } from './layout.js';
import { decodeRawSource, locateRawSource } from './sources.js';
import type { LoadedDataset } from './types.js';

export interface LoadOptions {
  dataDir: string;
  /** Folders of system-installed copies; DEFAULT_SYSTEM_DIRS when left out. */
  systemDirs?: SystemDirs;
  /** Told when a cache is unusable and gets rebuilt, or cannot be written. */
  onNotice?: (message: string) => void;
}

/**
 * Loads a dataset from the first place that has it: the decoded cache in the data directory,
 * the raw copy in the data directory, then the system folders. Data decoded from original files
 * is cached in the data directory so later loads read the cache.
 */
export async function loadDataset(name: DatasetName, options: LoadOptions): Promise<LoadedDataset> {
  const folder = datasetDir(options.dataDir, name);
  const notice = options.onNotice ?? (() => {});
  let cacheProblem: DatasetError | null = null;
  try {
    const cached = await readDatasetCache(folder, name);
    if (cached !== null) return cached;
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    cacheProblem = error;
  }
  const systemDirs = (options.systemDirs ?? DEFAULT_SYSTEM_DIRS)[name];
  const places = [rawDir(folder), ...systemDirs];
  for (const place of places) {
    const source = await locateRawSource(name, place);
    if (source === null) continue;
    if (cacheProblem !== null) notice(`${cacheProblem.message}; rebuilding the cache from ${place}`);
    const splits = await decodeRawSource(source);
    let checksums: LoadedDataset['checksums'];
    try {
      checksums = await writeDatasetCache(folder, name, splits, place);
    } catch (error) {
      notice(`could not write the ${DATASET_INFO[name].label} cache in ${folder} (${errorMessage(error)}); it will be decoded again next time`);
      checksums = { train: splitSha256(splits.train), test: splitSha256(splits.test) };
    }
    return { name, ...splits, classes: DATASET_INFO[name].classes, source: place, cachedIn: null, checksums };
  }
  if (cacheProblem !== null) {
    throw new DatasetError(
      cacheProblem.file,
      `${cacheProblem.problem}, and there is no original copy to rebuild it from; ` +
        `run \`rigl-lab datasets import ${name} PATH\` or \`rigl-lab datasets fetch ${name}\``,
    );
  }
  throw new DatasetMissingError(name, [folder, ...systemDirs]);
}
