import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { prepareTrainingData } from '../../src-main/engine/data/index.js';
import { train } from '../../src-main/engine/trainer.js';
import { WARM_UP_SHARE, WARM_UP_STEPS, warmUp } from '../../src-main/engine/warm-up.js';
import { CollectingObserver, fashionMnist } from '../helpers/training.js';

/** 1,200 examples, 1,080 after the 10% holdout: 21 batches of 50; 4 epochs, 84 steps. */
const small = { dataset: 'fashion-mnist', epochs: 4, trainSubset: 1200, testSubset: 200, batchSize: 50, logEvery: 1 } as const;

describe('the warm-up before a run', () => {
  it.each<[string, RunConfigInput]>([
    ['RigL on LeNet-300-100', { model: 'mlp', method: 'rigl', sparsity: 0.9, maskUpdate: { deltaT: 5 } }],
    ['SNFS on LeNet-300-100 (dense momentum)', { model: 'mlp', method: 'snfs', sparsity: 0.9, maskUpdate: { deltaT: 5 } }],
    ['SET on the classic LeNet-5', { model: 'lenet5-classic', method: 'set', sparsity: 0.9, maskUpdate: { deltaT: 5 } }],
    ['pruning on LeNet-5', { model: 'lenet5', method: 'pruning', sparsity: 0.9, pruning: { frequency: 5 }, warmupSteps: 5 }],
  ])('%s: trains a throwaway copy on the run\'s first batches, leaving no tensor behind and the run itself exactly as without it', async (_name, input) => {
    const config = resolveRunConfig({ ...small, ...input });
    const backend = await selectBackend(config.backend);
    const data = prepareTrainingData(await fashionMnist(), config);
    const run = async () => {
      const observer = new CollectingObserver();
      const outcome = await train({ config, backend, data, observer });
      return { outcome, losses: observer.steps.map((s) => s.loss), updates: observer.maskUpdates };
    };
    const cold = await run();
    const tensors = tf.memory().numTensors;
    // A tenth of the run's 84 steps, fewer than WARM_UP_STEPS and than an epoch's 21.
    expect([WARM_UP_STEPS, WARM_UP_SHARE]).toEqual([200, 0.1]);
    expect(await warmUp(config, backend, data)).toBe(8);
    expect(tf.memory().numTensors).toBe(tensors);
    const warmed = await run();
    expect(warmed.losses).toEqual(cold.losses);
    expect(warmed.updates).toEqual(cold.updates);
    expect(warmed.outcome).toEqual(cold.outcome);
  }, 120_000);

  it('trains nothing once the run is stopped, nor where the data holds less than a batch; an epoch at most', async () => {
    const config = resolveRunConfig({ ...small, model: 'mlp', method: 'dense' });
    const backend = await selectBackend(config.backend);
    const data = prepareTrainingData(await fashionMnist(), config);
    expect(await warmUp(config, backend, data, AbortSignal.abort())).toBe(0);
    expect(await warmUp({ ...config, batchSize: 2000 }, backend, data)).toBe(0);
    // 2,100 steps: a tenth is 210, past WARM_UP_STEPS, and past the 21 batches the examples hold.
    expect(await warmUp({ ...config, epochs: 100 }, backend, data)).toBe(21);
  }, 60_000);
});
