import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { planRun } from '../../src-shared/plan.js';
import { Random } from '../../src-shared/random.js';
import { buildNetwork } from '../../src-main/engine/nn/build.js';
import type { KernelParam } from '../../src-main/engine/nn/kernel-param.js';
import { softmaxCrossEntropy } from '../../src-main/engine/nn/loss.js';
import { Sgd } from '../../src-main/engine/optimizer.js';
import { SparsityController } from '../../src-main/engine/sparse/controller.js';
import { captureTensors, restoreTensors } from '../../src-main/engine/state.js';
import { setCompression } from '../../src-main/engine/nn/compressed-weights.js';
import { KERNEL_NAMES } from '../../src-main/engine/kernels/names.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { trainOnFashion } from '../helpers/training.js';

/**
 * Counts calls of our compressed forward kernels (fully connected and conv), to tell which path a
 * run took, and of those the strided convolutions'.
 */
async function countCompressedForwards(): Promise<{ calls: () => number; strided: () => number }> {
  await selectBackend('wasm');
  let calls = 0;
  let strided = 0;
  for (const name of [KERNEL_NAMES.compressedDense, KERNEL_NAMES.sparseConv]) {
    const config = tf.getKernel(name, 'wasm')!;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        calls++;
        if (((args.attrs as { stride?: number }).stride ?? 1) > 1) strided++;
        return config.kernelFunc(args);
      },
    });
  }
  return { calls: () => calls, strided: () => strided };
}

interface BothWays {
  compressed: number[];
  masked: number[];
  compressedCalls: number;
  maskedCalls: number;
  /** Calls of the compressed convolution at a stride above 1, in the compressed run. */
  stridedCalls: number;
}

async function lossesBothWays(input: RunConfigInput): Promise<BothWays> {
  const counts = await countCompressedForwards();
  const compressed = await trainOnFashion(input);
  const compressedCalls = counts.calls();
  const stridedCalls = counts.strided();
  setCompression(false);
  const masked = await trainOnFashion(input);
  return {
    compressed: compressed.observer.steps.map((s) => s.loss),
    masked: masked.observer.steps.map((s) => s.loss),
    compressedCalls,
    maskedCalls: counts.calls() - compressedCalls,
    stridedCalls,
  };
}

function maxRelativeDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.abs(b[i]!)));
}

afterEach(() => setCompression(true));

/**
 * Sparse fully connected layers on compressed weights must train like the masked dense layers
 * they replace: the same masks, the same arithmetic at active positions, only the summation
 * order differs.
 */
describe('compressed and masked dense training agree (LeNet-300-100, 90% ERK, wasm)', () => {
  const base = { model: 'mlp', sparsity: 0.9, distribution: 'erk' as const, batchSize: 32, epochs: 1, trainSubset: 32 * 300, testSubset: 200, validationFraction: 0, backend: 'wasm' as const, dropout: 0 };

  it.each([
    ['static', { method: 'static' as const }],
    ['SET', { method: 'set' as const, maskUpdate: { deltaT: 25 } }],
    ['RigL', { method: 'rigl' as const, maskUpdate: { deltaT: 25 } }],
    // Regrowth shared out by each layer's mean momentum over its active weights: layer sizes
    // change with every update.
    ['RigL-SM', { method: 'rigl' as const, maskUpdate: { deltaT: 25, redistribution: 'momentum' as const } }],
  ])('%s: losses within 1e-4 relative over 300 steps', async (_name, extra) => {
    const run = await lossesBothWays({ ...base, ...extra });
    expect(run.compressed).toHaveLength(300);
    // fc1 and fc2 compressed, and fc3 (dense under ERK, 10 outputs) on the same kernels, every step.
    expect(run.compressedCalls).toBeGreaterThanOrEqual(3 * 300);
    expect(run.maskedCalls).toBe(0);
    expect(maxRelativeDifference(run.compressed, run.masked)).toBeLessThan(1e-4);
  });

  it('RigL-SM: a layer that regrowth takes past the compression limit goes back to dense weights, and trains the same', async () => {
    // Uniform 60%: every layer at density 0.4, the limit. Momentum redistribution hands fc2 (and
    // fc3) more than they drop, so they leave the compressed kernels at the first update: a layer's
    // move on the device is only for kernels that stay compressed.
    const run = await lossesBothWays({ ...base, sparsity: 0.6, distribution: 'uniform', method: 'rigl', maskUpdate: { deltaT: 5, redistribution: 'momentum' }, trainSubset: 32 * 40 });
    // fc1, fc2 and fc3 compressed for the first five steps, then fc1 alone (53 calls with the
    // evaluation's; 123 when every layer stayed compressed).
    expect(run.compressedCalls).toBeGreaterThanOrEqual(3 * 5 + 35);
    expect(run.compressedCalls).toBeLessThan(3 * 5 + 2 * 35);
    expect(maxRelativeDifference(run.compressed, run.masked)).toBeLessThan(1e-4);
  });

  it('pruning: identical until magnitude ties part the runs, then close', async () => {
    // fc1 is compressed from the event at step 95 (density 0.30). Each event removes thousands of
    // weights at a magnitude cut where float32 neighbours sit ~1e-7 apart, so once the summation
    // order has moved a weight across the cut (here after step 155) the runs differ by more than
    // rounding, while staying as good as each other.
    const run = await lossesBothWays({ ...base, method: 'pruning', pruning: { frequency: 20 } });
    expect(run.compressedCalls).toBeGreaterThan(0);
    expect(maxRelativeDifference(run.compressed.slice(0, 150), run.masked.slice(0, 150))).toBeLessThan(1e-4);
    const tail = (xs: number[]) => xs.slice(-50).reduce((a, b) => a + b, 0) / 50;
    expect(Math.abs(tail(run.compressed) - tail(run.masked)) / tail(run.masked)).toBeLessThan(0.05);
  });

  it('SET with regrowth shared out by mean gradient: identical through two updates, then close', async () => {
    // A compressed layer's gradient holds one value per active weight. Measured: identical to 2e-7
    // through two updates (steps 25 and 50), 1e-5 to 1e-4 from step 58 on; at the third update
    // weights that far apart drop a different near-tie, random growth then draws other positions,
    // and the runs part by more than rounding.
    const run = await lossesBothWays({ ...base, method: 'set', maskUpdate: { deltaT: 25, redistribution: 'gradient' } });
    expect(run.compressedCalls).toBeGreaterThanOrEqual(3 * 300);
    expect(maxRelativeDifference(run.compressed.slice(0, 55), run.masked.slice(0, 55))).toBeLessThan(1e-4);
    const tail = (xs: number[]) => xs.slice(-50).reduce((a, b) => a + b, 0) / 50;
    expect(Math.abs(tail(run.compressed) - tail(run.masked)) / tail(run.masked)).toBeLessThan(0.05);
  });

  it('SNFS keeps dense momentum and never compresses', async () => {
    const run = await lossesBothWays({ ...base, method: 'snfs', maskUpdate: { deltaT: 25 }, trainSubset: 32 * 60 });
    expect(run.compressedCalls).toBe(0);
    expect(run.compressed).toEqual(run.masked);
  });
});

/**
 * The same for convolutions on compressed weights: LeNet-5 at 90%, ERK (conv2 at 9% and fc1
 * compressed; conv1 dense on the direct kernels) and uniform (every layer compressed, conv1 as
 * the first layer, whose backward pass makes no input gradient; fc2, 500 to 10, runs dense in
 * batch chunks after a compressed fc1 under ERK). Pooling and ReLU decide on pre-activations: once
 * a rounding difference flips one (ERK: at step 45 of 80, after four mask updates), the runs part
 * by more than rounding, while training equally well.
 */
/** RigL at 90% with a mask update every 10 steps, one epoch of batches of 40 on wasm: the runs of the convolutional networks below. */
const rigl90 = {
  method: 'rigl' as const,
  maskUpdate: { deltaT: 10 },
  sparsity: 0.9,
  batchSize: 40,
  epochs: 1,
  validationFraction: 0,
  backend: 'wasm' as const,
  dropout: 0,
};

describe('compressed and masked dense training agree (LeNet-5, 90% RigL, wasm)', () => {
  const base = { ...rigl90, model: 'lenet5', trainSubset: 40 * 80, testSubset: 200 };

  it.each([{ distribution: 'erk' as const }, { distribution: 'uniform' as const }])(
    '$distribution: losses within 1e-4 relative over the first 40 steps (four mask updates), the last 20 within 1% on average',
    async ({ distribution }) => {
      const run = await lossesBothWays({ ...base, distribution });
      expect(run.compressed).toHaveLength(80);
      // Each compressed layer's forward (ERK: conv2 and fc1, and fc2 dense on the same kernels), every training step and test batch.
      expect(run.compressedCalls).toBeGreaterThanOrEqual((distribution === 'erk' ? 3 : 4) * 80);
      expect(run.maskedCalls).toBe(0);
      expect(maxRelativeDifference(run.compressed.slice(0, 40), run.masked.slice(0, 40))).toBeLessThan(1e-4);
      const tail = (xs: number[]) => xs.slice(-20).reduce((a, b) => a + b, 0) / 20;
      expect(Math.abs(tail(run.compressed) - tail(run.masked)) / tail(run.masked)).toBeLessThan(0.01);
    },
  );
});

/**
 * The classic LeNet-5 under ERK compresses conv2 (6 to 16 channels, 9%), fc1 and fc2, and runs
 * fc3 (84 to 10, dense) on the same kernels; conv1 and the masked run's conv2 run on the direct
 * kernels.
 */
describe('compressed and masked dense training agree (classic LeNet-5, 90% RigL ERK, wasm)', () => {
  it('losses within 1e-4 relative over all 80 steps (a mask update every 10 until step 60)', async () => {
    const run = await lossesBothWays({ ...rigl90, model: 'lenet5-classic', distribution: 'erk', trainSubset: 40 * 80, testSubset: 200 });
    expect(run.compressed).toHaveLength(80);
    // conv2, fc1, fc2 and fc3 on the compressed kernels, every training step and test batch.
    expect(run.compressedCalls).toBeGreaterThanOrEqual(4 * 80);
    expect(run.maskedCalls).toBe(0);
    // Measured: identical to 1e-7 up to step 52, within 7e-6 to the end.
    expect(maxRelativeDifference(run.compressed, run.masked)).toBeLessThan(1e-4);
  });
});

/**
 * WRN-10-2 under ERK at 90% compresses every 3×3 convolution but group1's first (30%), the two
 * strided ones (stride 2, on phase planes) included; the 1×1 shortcuts stay dense. Its first steps at
 * lr 0.1 move the BatchNorm statistics fast, and the summation orders' rounding grows with them:
 * measured, identical for 7 steps, then 1e-5 to 5e-5 up to the first update and at most 1.2e-3
 * by step 30; the same with the strided convolutions left masked dense (before they ran
 * compressed), so the growth is the network's, not theirs.
 */
describe('compressed and masked dense training agree (WRN-10-2, 90% RigL ERK, wasm)', () => {
  it('losses within 1e-4 relative up to the first mask update, 5e-3 over 30 steps (updates at 10 and 20), strided convolutions compressed', async () => {
    const run = await lossesBothWays({ ...rigl90, model: 'wrn-10-2', distribution: 'erk', trainSubset: 40 * 30, testSubset: 40 });
    expect(run.compressed).toHaveLength(30);
    // group2's and group3's first convolutions, every training step and the test batch.
    expect(run.stridedCalls).toBe(2 * 31);
    expect(run.maskedCalls).toBe(0);
    expect(maxRelativeDifference(run.compressed.slice(0, 10), run.masked.slice(0, 10))).toBeLessThan(1e-4);
    expect(maxRelativeDifference(run.compressed, run.masked)).toBeLessThan(5e-3);
  });
});

describe('checkpoint tensors of compressed layers', () => {
  it.each([
    { model: 'mlp', distribution: 'erk' as const, kernel: 'fc1.kernel', size: 784 * 300 },
    { model: 'lenet5', distribution: 'uniform' as const, kernel: 'conv1.kernel', size: 5 * 5 * 20 },
  ])('are dense by parameter name, and restoring them continues the run exactly ($kernel of $model)', async ({ model, distribution, kernel, size }) => {
    await selectBackend('wasm');
    const config = resolveRunConfig({ dataset: 'fashion-mnist', model, method: 'rigl', sparsity: 0.9, distribution, backend: 'wasm', batchSize: 16, trainSubset: 64 });
    const plan = planRun(config);
    const rng = new Random(3);
    const batch = tf.tensor4d(Float32Array.from({ length: 16 * 784 }, () => rng.normal()), [16, 28, 28, 1]);
    const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32');
    const build = () => {
      const network = buildNetwork(plan.model, new Random(1));
      const optimizer = new Sgd(config.optimizer);
      const sparsity = new SparsityController(config, plan, network.params(), optimizer, new Random(2));
      return { network, optimizer, sparsity };
    };
    const step = ({ network, optimizer, sparsity }: ReturnType<typeof build>) => {
      const params = network.params();
      tf.tidy(() => {
        const logits = network.forward(batch, { training: true, nextSeed: () => 0, denseGradients: false }) as tf.Tensor2D;
        network.backward(softmaxCrossEntropy(logits, labels, 0).dLogits);
        for (const p of params) tf.keep(p.grad!);
      });
      optimizer.step(params, { lr: 0.1, masks: sparsity.masks, denseMomentum: false });
      for (const p of params) {
        p.grad!.dispose();
        p.grad = null;
      }
    };
    const a = build();
    const first = a.network.params()[0] as KernelParam;
    expect(first.name).toBe(kernel);
    expect(first.compressed).not.toBeNull();
    step(a);
    step(a);
    const state = captureTensors(a.network, a.optimizer, a.sparsity);
    const mask = state.masks[kernel]!;
    const velocity = state.velocity[kernel]!;
    expect(state.params[kernel]).toHaveLength(size);
    expect(velocity).toHaveLength(size);
    expect(velocity.some((v, i) => mask[i] === 0 && v !== 0)).toBe(false);
    expect(velocity.some((v, i) => mask[i] === 1 && v !== 0)).toBe(true);

    const b = build();
    restoreTensors(state, b.network, b.optimizer, b.sparsity);
    expect((b.network.params()[0] as KernelParam).compressed).not.toBeNull();
    step(a);
    step(b);
    const after = [captureTensors(a.network, a.optimizer, a.sparsity), captureTensors(b.network, b.optimizer, b.sparsity)];
    expect(after[1]!.params).toEqual(after[0]!.params);
    expect(after[1]!.velocity).toEqual(after[0]!.velocity);
    for (const run of [a, b]) {
      run.sparsity.dispose();
      run.optimizer.dispose();
    }
  });
});
