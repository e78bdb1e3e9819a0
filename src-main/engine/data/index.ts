/**
 * Datasets for the engine: finding, importing, downloading and caching MNIST, Fashion-MNIST,
 * CIFAR-10 and CIFAR-100, and turning them into training and evaluation batches.
 *
 * Getting data (Node only, no tfjs):
 * - `loadDataset(name, { dataDir })` reads `<dataDir>/<name>/{train,test}.cache` (decoded splits,
 *   SHA-256 checked), else decodes the raw copy in `<dataDir>/<name>/raw/`, else a system copy
 *   (`DEFAULT_SYSTEM_DIRS`, e.g. Debian's /usr/share/datasets/fashion-mnist), and caches it.
 *   With none it throws a `DatasetMissingError` that names the commands to get one.
 * - `importDataset(name, path, dataDir)` checks and copies an archive or folder of original files.
 * - `fetchDataset(name, dataDir, options)` downloads the official files, checks their MD5s, imports.
 * - `listDatasets(dataDir)` says what each dataset would load from, without decoding.
 * Bad files raise a `DatasetError` whose message starts with the file and says what is wrong.
 *
 * Training data:
 * - `prepareTrainingData(dataset, config)`: subsets, validation holdout (`splitValidation`) and
 *   the training split's per-channel statistics.
 * - `TrainingBatches`: seeded per-epoch order, optional crop + flip augmentation, full batches
 *   only, state capturable and restorable exactly.
 * - `evaluationBatches`: a whole split in order, last batch smaller.
 */
export type { Batch, ChannelStats, ImageSet, LoadedDataset } from './types.js';
export { DatasetError, DatasetMissingError } from './errors.js';
export { DEFAULT_SYSTEM_DIRS, datasetDir, type SystemDirs } from './layout.js';
export { loadDataset, type LoadOptions } from './load.js';
export { importDataset, type ImportResult } from './import.js';
export { fetchDataset, type FetchOptions } from './fetch.js';
export { OFFICIAL_DOWNLOADS, type RemoteFile } from './official-downloads.js';
export { datasetProblems, listDatasets } from './list.js';
export { firstExamples } from './image-set.js';
export { channelStats } from './normalization.js';
export { prepareTrainingData, splitValidation, type TrainingData } from './split.js';
export {
  TrainingBatches,
  trainingBatchStateSchema,
  type TrainingBatchOptions,
  type TrainingBatchState,
} from './training-batches.js';
export { evaluationBatches } from './evaluation-batches.js';
