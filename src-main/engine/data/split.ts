import type { RunConfig } from '../../../src-shared/config/run.js';
import { Random } from '../../../src-shared/random.js';
import { firstExamples, gatherExamples } from './image-set.js';
import { channelStats } from './normalization.js';
import { DATA_STREAMS } from './random-streams.js';
import type { ChannelStats, ImageSet, LoadedDataset } from './types.js';

/**
 * Holds out the last round(n · fraction) examples of a seeded permutation as a validation set.
 * Both parts are copies in the original order; with nothing held out, `train` is the input itself.
 */
export function splitValidation(set: ImageSet, fraction: number, seed: number): { train: ImageSet; validation: ImageSet } {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction ${fraction} is not in [0, 1)`);
  const held = Math.round(set.count * fraction);
  if (held === 0) {
    return { train: set, validation: { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, shape: set.shape } };
  }
  const order = new Uint32Array(set.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  Random.derive(seed, DATA_STREAMS.validationSplit).shuffle(order);
  const kept = set.count - held;
  return {
    train: gatherExamples(set, order.slice(0, kept).sort()),
    validation: gatherExamples(set, order.slice(kept).sort()),
  };
}

export interface TrainingData {
  train: ImageSet;
  validation: ImageSet;
  test: ImageSet;
  /** Computed on `train` only, used to normalise all three. */
  stats: ChannelStats;
  classes: number;
}

/**
 * The splits a run uses: the first `trainSubset` training examples (all when unset), less the
 * validation holdout, and the first `testSubset` test examples; the same counts as
 * `trainingExamples` in src-shared/datasets.ts.
 */
export function prepareTrainingData(
  dataset: LoadedDataset,
  config: Pick<RunConfig, 'validationFraction' | 'seed' | 'trainSubset' | 'testSubset'>,
): TrainingData {
  const pool = config.trainSubset === undefined ? dataset.train : firstExamples(dataset.train, config.trainSubset);
  const { train, validation } = splitValidation(pool, config.validationFraction, config.seed);
  const test = config.testSubset === undefined ? dataset.test : firstExamples(dataset.test, config.testSubset);
  return { train, validation, test, stats: channelStats(train), classes: dataset.classes };
}
