import { stat } from 'node:fs/promises';
import type { DatasetStatus } from '../../../src-shared/api/records.js';
import type { RunConfig } from '../../../src-shared/config/run.js';
import { DATASET_INFO, tooFewExamples } from '../../../src-shared/datasets.js';
import { DATASETS, type DatasetName } from '../../../src-shared/names.js';
import { readCacheHeader } from './cache.js';
import { DatasetError } from './errors.js';
import { DEFAULT_SYSTEM_DIRS, cacheFile, datasetDir, rawDir, type SystemDirs } from './layout.js';
import { locateRawSource, rawSourceFiles } from './sources.js';

/** Where each of the four datasets can be loaded from, without decoding anything. */
export async function listDatasets(dataDir: string, systemDirs: SystemDirs = DEFAULT_SYSTEM_DIRS): Promise<DatasetStatus[]> {
  return Promise.all(DATASETS.map((name) => datasetStatus(name, dataDir, systemDirs[name])));
}

/** What keeps runs from training on the datasets here (see datasetProblems). */
export interface DatasetProblems {
  /** The statuses of the datasets the runs need that cannot be loaded. */
  unavailable: DatasetStatus[];
  /** Why decoded copies are too small for some runs (a partial archive was imported, say), one message each. */
  shortfalls: string[];
}

/** What a launch checks before it queues runs of `configs`, from one listing of the datasets. */
export async function datasetProblems(configs: ReadonlyArray<Pick<RunConfig, 'dataset' | 'trainSubset'>>, dataDir: string, systemDirs: SystemDirs = DEFAULT_SYSTEM_DIRS): Promise<DatasetProblems> {
  const statuses = await listDatasets(dataDir, systemDirs);
  const wanted = new Set(configs.map((c) => c.dataset));
  const counts = new Map(statuses.flatMap((s) => (s.cache === null ? [] : [[s.name, s.cache.trainCount] as const])));
  const shortfalls = configs.flatMap((c) => {
    const count = counts.get(c.dataset);
    return count === undefined ? [] : (tooFewExamples(c, count) ?? []);
  });
  return { unavailable: statuses.filter((s) => wanted.has(s.name) && !s.available), shortfalls: [...new Set(shortfalls)] };
}

async function datasetStatus(name: DatasetName, dataDir: string, systemDirs: readonly string[]): Promise<DatasetStatus> {
  const folder = datasetDir(dataDir, name);
  const problems: string[] = [];
  const cache = await cacheStatus(name, folder, problems);
  let original: DatasetStatus['original'] = null;
  const places = [{ kind: 'raw' as const, path: rawDir(folder) }, ...systemDirs.map((path) => ({ kind: 'system' as const, path }))];
  for (const place of places) {
    try {
      const source = await locateRawSource(name, place.path);
      if (source === null) continue;
      const sizes = await Promise.all(rawSourceFiles(source).map(async (f) => (await stat(f.path)).size));
      original = { ...place, bytes: sizes.reduce((a, b) => a + b, 0) };
      break;
    } catch (error) {
      if (!(error instanceof DatasetError)) throw error;
      problems.push(error.message);
    }
  }
  return {
    name,
    label: DATASET_INFO[name].label,
    available: cache !== null || original !== null,
    from: cache !== null ? 'cache' : (original?.kind ?? null),
    cache,
    original,
    problems,
  };
}

async function cacheStatus(name: DatasetName, folder: string, problems: string[]): Promise<DatasetStatus['cache']> {
  const trainFile = cacheFile(folder, 'train');
  try {
    const train = await readCacheHeader(trainFile, name, 'train');
    const test = await readCacheHeader(cacheFile(folder, 'test'), name, 'test');
    return { folder, bytes: train.bytes + test.bytes, trainCount: train.header.count, testCount: test.header.count };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && (error as NodeJS.ErrnoException).path === trainFile) return null;
    if (missing) problems.push(`${cacheFile(folder, 'test')}: is missing beside ${trainFile}`);
    else if (error instanceof DatasetError) problems.push(error.message);
    else throw error;
    return null;
  }
}
