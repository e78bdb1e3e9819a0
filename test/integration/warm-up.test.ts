import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { prepareTrainingData } from '../../src-main/engine/data/index.js';
import { train } from '../../src-main/engine/trainer.js';
import { WARM_UP_STEPS, warmUp } from '../../src-main/engine/warm-up.js';
import { CollectingObserver, fashionMnist } from '../helpers/training.js';

describe('the warm-up before a run', () => {
  it('trains a throwaway copy on the run\'s first batches, leaving no tensor behind and the run itself exactly as without it', async () => {
    const config = resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp', method: 'rigl', sparsity: 0.9, epochs: 1, trainSubset: 1200, testSubset: 200, batchSize: 50, logEvery: 1, maskUpdate: { deltaT: 5 } });
    const backend = await selectBackend(config.backend);
    const data = prepareTrainingData(await fashionMnist(), config);
    const run = async () => {
      const observer = new CollectingObserver();
      const outcome = await train({ config, backend, data, observer });
      return { outcome, losses: observer.steps.map((s) => s.loss), updates: observer.maskUpdates };
    };
    const cold = await run();
    const tensors = tf.memory().numTensors;
    // 1,080 training examples after the 10% validation holdout: 21 batches of 50, fewer than WARM_UP_STEPS.
    expect(WARM_UP_STEPS).toBeGreaterThan(21);
    expect(await warmUp(config, backend, data)).toBe(21);
    expect(tf.memory().numTensors).toBe(tensors);
    const warmed = await run();
    expect(warmed.losses).toEqual(cold.losses);
    expect(warmed.updates).toEqual(cold.updates);
    expect(warmed.outcome).toEqual(cold.outcome);
  }, 120_000);

  it('stops with the run\'s signal, and warms nothing where the data holds less than a batch', async () => {
    const config = resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp', method: 'dense', epochs: 1, trainSubset: 1200, testSubset: 200, batchSize: 50 });
    const backend = await selectBackend(config.backend);
    const data = prepareTrainingData(await fashionMnist(), config);
    expect(await warmUp(config, backend, data, AbortSignal.abort())).toBe(1);
    expect(await warmUp({ ...config, batchSize: 2000 }, backend, data)).toBe(0);
  }, 60_000);
});
