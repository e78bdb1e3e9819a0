import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../src-shared/config/run.js';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { BatchInput } from '../../src-main/engine/batch-input.js';
import { TrainingBatches, type ImageSet } from '../../src-main/engine/data/index.js';
import { hasKernel, KERNEL_NAMES } from '../../src-main/engine/kernels/names.js';
import { Dropout, Relu } from '../../src-main/engine/nn/activation.js';
import { BatchNorm } from '../../src-main/engine/nn/batchnorm.js';
import { softmaxCrossEntropy } from '../../src-main/engine/nn/loss.js';
import type { ForwardContext, Param } from '../../src-main/engine/nn/module.js';
import { Sgd } from '../../src-main/engine/optimizer.js';
import { mergeOnDevice, mergesOnDevice, moveOnDevice } from '../../src-main/engine/sparse/device-merge.js';
import { CompressedWeights } from '../../src-main/engine/nn/compressed-weights.js';
import { ranksOnDevice, selectMagnitudes } from '../../src-main/engine/sparse/device-select.js';
import { mergeActive } from '../../src-main/engine/sparse/dropgrow.js';
import { fromBatchChunks, isInBatchChunks, toBatchChunks } from '../../src-main/engine/nn/batch-chunks.js';
import { LayerMask } from '../../src-main/engine/sparse/masks.js';
import { largestK, positions, smallestK } from '../../src-main/engine/sparse/select.js';
import { relativeError } from '../helpers/compare.js';

/*
 * Our fused kernels on wasm (RiglBatchNorm, RiglBatchNormGrad, RiglReluGrad, RiglSgdSteps,
 * RiglSoftmaxCrossEntropy) against the plain tfjs ops the same modules use on cpu, the reference.
 */

type BackendName = 'cpu' | 'wasm';
const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];
const TRAINING: ForwardContext = { training: true, nextSeed: () => 0, denseGradients: false };

const rng = new Random(7031);
function normal(size: number, scale = 1, offset = 0): Float32Array {
  return Float32Array.from({ length: size }, () => offset + scale * rng.normal());
}

/** Elements that differ (+0 and −0 count as equal), and the largest difference. */
function differences(actual: Float32Array, expected: Float32Array): { count: number; largest: number; first: string } {
  expect(actual.length).toBe(expected.length);
  let count = 0;
  let largest = 0;
  let first = '';
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] === expected[i]) continue;
    if (count === 0) first = `at ${i}: ${actual[i]} vs ${expected[i]}`;
    count++;
    largest = Math.max(largest, Math.abs(actual[i]! - expected[i]!));
  }
  return { count, largest, first };
}

const read = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync() as Float32Array);

describe('BatchNorm in training on wasm matches cpu', () => {
  interface BnResult {
    y: Float32Array;
    dx: Float32Array;
    dgamma: Float32Array;
    dbeta: Float32Array;
    runningMean: Float32Array;
    runningVar: Float32Array;
  }

  async function batchNormStep(backend: BackendName, shape: number[], x: Float32Array, dy: Float32Array, gamma: Float32Array, beta: Float32Array): Promise<BnResult> {
    await selectBackend(backend);
    expect(hasKernel(KERNEL_NAMES.batchNorm)).toBe(backend === 'wasm');
    expect(hasKernel(KERNEL_NAMES.batchNormGrad)).toBe(backend === 'wasm');
    const channels = shape[shape.length - 1]!;
    const bn = new BatchNorm('bn', channels);
    bn.gamma.value.dispose();
    bn.beta.value.dispose();
    bn.gamma.value = tf.keep(tf.tensor1d(gamma));
    bn.beta.value = tf.keep(tf.tensor1d(beta));
    const result = tf.tidy(() => {
      const y = bn.forward(tf.tensor(x, shape), TRAINING);
      const dx = bn.backward(tf.tensor(dy, shape));
      return {
        y: read(y),
        dx: read(dx),
        dgamma: read(bn.gamma.grad!),
        dbeta: read(bn.beta.grad!),
        runningMean: read(bn.runningMean.value),
        runningVar: read(bn.runningVar.value),
      };
    });
    tf.dispose([bn.gamma.value, bn.beta.value, bn.runningMean.value, bn.runningVar.value]);
    return result;
  }

  it.each([
    { label: 'WRN group 1', shape: [8, 32, 32, 32], offset: 0 },
    { label: 'WRN group 3', shape: [8, 8, 8, 128], offset: 0 },
    { label: 'flat features, 10 channels (not a multiple of 4)', shape: [64, 10], offset: 0 },
    { label: 'odd everything', shape: [3, 5, 7, 6], offset: 0 },
    { label: 'inputs with a mean of 2 standard deviations', shape: [8, 8, 8, 128], offset: 2 },
    // The kernel sums x − x₀ and its square in one pass (x₀ the first row), the ops subtract the
    // mean first: the shift keeps the one-pass variance exact enough far from zero.
    { label: 'inputs with a mean of 10 standard deviations', shape: [4, 8, 8, 64], offset: 10 },
    { label: 'inputs with a mean of 300 standard deviations', shape: [8, 16, 16, 64], offset: 300 },
  ])('$label $shape', async ({ shape, offset }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const channels = shape[shape.length - 1]!;
    // Per-channel spread and offset, like activations after a convolution.
    const x = normal(size);
    const channelScale = Float32Array.from({ length: channels }, () => 0.5 + 2 * rng.next());
    for (let i = 0; i < size; i++) x[i] = x[i]! * channelScale[i % channels]! + offset * channelScale[i % channels]!;
    const dy = normal(size);
    const gamma = normal(channels, 0.5, 1);
    const beta = normal(channels, 0.5);
    const [expected, actual] = [await batchNormStep('cpu', shape, x, dy, gamma, beta), await batchNormStep('wasm', shape, x, dy, gamma, beta)];
    for (const key of ['y', 'dx', 'dgamma', 'dbeta', 'runningMean', 'runningVar'] as const) {
      expect(relativeError(actual[key], expected[key]), key).toBeLessThan(1e-4);
    }
  });

  it('gives hand-checked numbers', async () => {
    // One channel, x = [1, 2, 3, 4]: mean 2.5, biased variance 1.25, x̂ = (x − 2.5)/√(1.25 + 1e-5).
    // γ = 2, β = 1: y = 2x̂ + 1. dy = [1, 0, 0, 0]: dβ = 1, dγ = x̂₀, dx = γ/σ·(dy − 1/4 − x̂·x̂₀/4).
    // Running statistics: mean 0.1·2.5 = 0.25, variance 0.9 + 0.1·(5/3) (unbiased).
    for (const backend of BACKENDS) {
      const r = await batchNormStep(backend, [4, 1], Float32Array.from([1, 2, 3, 4]), Float32Array.from([1, 0, 0, 0]), Float32Array.from([2]), Float32Array.from([1]));
      const sigma = Math.sqrt(1.25 + 1e-5);
      const xhat = [1, 2, 3, 4].map((v) => (v - 2.5) / sigma);
      const close = (actual: Float32Array, expected: number[]) => expected.forEach((e, i) => expect(actual[i], `${backend} [${i}]`).toBeCloseTo(e, 5));
      close(r.y, xhat.map((v) => 2 * v + 1));
      close(r.dbeta, [1]);
      close(r.dgamma, [xhat[0]!]);
      close(
        r.dx,
        xhat.map((v, i) => (2 / sigma) * ((i === 0 ? 1 : 0) - 0.25 - (v * xhat[0]!) / 4)),
      );
      close(r.runningMean, [0.25]);
      close(r.runningVar, [0.9 + 0.1 * (5 / 3)]);
    }
  });
});

describe('Relu backward on wasm matches cpu', () => {
  it.each([
    { label: 'a 4-D activation', shape: [4, 9, 9, 16] },
    { label: 'an odd length (SIMD tail)', shape: [7, 13] },
    { label: 'large enough for two threads', shape: [64, 32, 32, 16] },
  ])('$label', async ({ shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = normal(size);
    // Exact zeros, and negative zeros, among the inputs: their gradient is 0.
    for (let i = 0; i < size; i += 5) x[i] = 0;
    for (let i = 2; i < size; i += 11) x[i] = -0;
    const dy = normal(size);
    const results: Float32Array[] = [];
    for (const backend of BACKENDS) {
      await selectBackend(backend);
      expect(hasKernel(KERNEL_NAMES.reluGrad)).toBe(backend === 'wasm');
      const relu = new Relu();
      results.push(tf.tidy(() => {
        relu.forward(tf.tensor(x, shape));
        return read(relu.backward(tf.tensor(dy, shape)));
      }));
    }
    const [expected, actual] = results as [Float32Array, Float32Array];
    expect(differences(actual, expected)).toEqual({ count: 0, largest: 0, first: '' });
    const wrong = actual.findIndex((v, i) => v !== (x[i]! > 0 ? dy[i] : 0));
    expect(wrong, `dx[${wrong}] = ${actual[wrong]} for x = ${x[wrong]}, dy = ${dy[wrong]}`).toBe(-1);
  });
});

describe('dropout on wasm: the backward pass draws the forward pass\'s mask again', () => {
  it.each([
    { label: 'an odd length (SIMD tail)', shape: [7, 13] },
    { label: 'large enough for two threads', shape: [64, 16, 16, 32] },
  ])('$label', async ({ shape }) => {
    await selectBackend('wasm');
    expect(hasKernel(KERNEL_NAMES.dropout)).toBe(true);
    const size = shape.reduce((a, b) => a * b, 1);
    const rate = 0.3;
    const dropout = new Dropout(rate);
    // x = 1 everywhere: y is the mask itself, 0 or 1/(1 − 0.3).
    const x = tf.ones(shape);
    const before = tf.memory().numTensors;
    const y = dropout.forward(x, { ...TRAINING, nextSeed: () => 12345 });
    // Only y is left alive between the passes: no mask is kept.
    expect(tf.memory().numTensors).toBe(before + 1);
    const mask = read(y);
    const dy = normal(size);
    const dx = read(dropout.backward(tf.tensor(dy, shape)));
    const scale = Math.fround(1 / (1 - rate));
    expect(mask.every((m) => m === 0 || m === scale)).toBe(true);
    const kept = mask.filter((m) => m !== 0).length / size;
    expect(Math.abs(kept - (1 - rate))).toBeLessThan(size > 1000 ? 0.01 : 0.15);
    const wrong = dx.findIndex((v, i) => v !== Math.fround(dy[i]! * mask[i]!));
    expect(wrong, `dx[${wrong}] = ${dx[wrong]} for dy = ${dy[wrong]}, mask ${mask[wrong]}`).toBe(-1);
  });
});

describe('Sgd on wasm gives exactly the numbers of cpu', () => {
  interface ParamSpec {
    name: string;
    shape: number[];
    decay: boolean;
    /** Fraction of positions kept by the mask, if masked. */
    density?: number;
  }

  const PARAMS: ParamSpec[] = [
    { name: 'conv.kernel', shape: [3, 3, 16, 32], decay: true, density: 0.3 },
    { name: 'fc.kernel', shape: [37, 29], decay: true, density: 0.1 },
    { name: 'fc.bias', shape: [29], decay: false },
    { name: 'odd', shape: [1001], decay: true, density: 0.5 },
    // 601k elements: enough work to be split between threads.
    { name: 'big.kernel', shape: [1000, 601], decay: true, density: 0.2 },
  ];

  interface Scenario {
    label: string;
    config: OptimizerConfig;
    masked: boolean;
    denseMomentum: boolean;
  }

  const SCENARIOS: Scenario[] = [
    { label: 'momentum, Nesterov, weight decay', config: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }, masked: false, denseMomentum: false },
    { label: 'momentum without Nesterov', config: { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-3 }, masked: false, denseMomentum: false },
    { label: 'no momentum', config: { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01 }, masked: false, denseMomentum: false },
    { label: 'no momentum, no decay', config: { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 }, masked: true, denseMomentum: false },
    { label: 'masked gradient (RigL, SET, static)', config: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }, masked: true, denseMomentum: false },
    { label: 'dense momentum, masked weights (SNFS)', config: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }, masked: true, denseMomentum: true },
  ];

  const STEPS = 4;
  const LRS = [0.1, 0.1, 0.05, 0.0123];

  /** Initial weights (zero where masked), masks and per-step gradients, shared by both backends. */
  const host = PARAMS.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const mask = spec.density === undefined ? null : Uint8Array.from({ length: size }, () => (rng.next() < spec.density! ? 1 : 0));
    const weights = normal(size, 0.3);
    if (mask) for (let i = 0; i < size; i++) if (mask[i] === 0) weights[i] = 0;
    return { spec, mask, weights, grads: Array.from({ length: STEPS }, () => normal(size, 0.1)) };
  });

  async function train(backend: BackendName, scenario: Scenario): Promise<{ weights: Float32Array[]; velocity: Float32Array[] }> {
    await selectBackend(backend);
    expect(hasKernel(KERNEL_NAMES.sgdSteps)).toBe(backend === 'wasm');
    const params: Param[] = host.map(({ spec, weights }) => ({
      name: spec.name,
      layer: spec.name,
      value: tf.keep(tf.tensor(weights, spec.shape)),
      grad: null,
      decay: spec.decay,
      maskable: spec.density !== undefined,
    }));
    const masks = new Map<string, LayerMask>();
    if (scenario.masked) host.forEach(({ mask }, i) => mask && masks.set(params[i]!.name, new LayerMask(params[i]!, mask)));
    const sgd = new Sgd(scenario.config);
    for (let step = 0; step < STEPS; step++) {
      params.forEach((p, i) => (p.grad = tf.tensor(host[i]!.grads[step]!, p.value.shape)));
      sgd.step(params, { lr: LRS[step]!, masks, denseMomentum: scenario.denseMomentum });
      for (const p of params) p.grad!.dispose();
    }
    const result = {
      weights: params.map((p) => read(p.value)),
      velocity: params.map((p) => (sgd.velocity.has(p.name) ? read(sgd.velocity.get(p.name)!) : new Float32Array(0))),
    };
    sgd.dispose();
    for (const p of params) p.value.dispose();
    for (const m of masks.values()) m.releaseTensor();
    return result;
  }

  it.each(SCENARIOS)('$label: weights and momentum after several steps', async (scenario) => {
    const expected = await train('cpu', scenario);
    const actual = await train('wasm', scenario);
    host.forEach(({ spec, mask }, i) => {
      expect(differences(actual.weights[i]!, expected.weights[i]!), `${spec.name} weights`).toEqual({ count: 0, largest: 0, first: '' });
      expect(differences(actual.velocity[i]!, expected.velocity[i]!), `${spec.name} momentum`).toEqual({ count: 0, largest: 0, first: '' });
      expect(actual.velocity[i]!.length).toBe(scenario.config.momentum > 0 ? actual.weights[i]!.length : 0);
      if (scenario.masked && mask) {
        // Inactive weights stay exactly zero (±0); with the gradient masked, so does their momentum.
        const inactive = (values: Float32Array) => values.filter((_, j) => mask[j] === 0);
        expect(inactive(actual.weights[i]!).every((v) => v === 0), `${spec.name}: inactive weights`).toBe(true);
        if (!scenario.denseMomentum && scenario.config.momentum > 0) {
          expect(inactive(actual.velocity[i]!).every((v) => v === 0), `${spec.name}: inactive momentum`).toBe(true);
        }
      }
    });
    if (scenario.denseMomentum) {
      // SNFS: the momentum of inactive positions is not zero (it accumulates the full gradient).
      const { mask } = host[1]!;
      expect(actual.velocity[1]!.some((v, j) => mask![j] === 0 && v !== 0)).toBe(true);
    }
  });

  it('a hand-checked step: w = 1, g = 0.5, lr 0.1, momentum 0.9, Nesterov, decay 0.01', async () => {
    // g ← 0.5 + 0.01·1 = 0.51; v ← 0.51 (first step); w ← 1 − 0.1·(0.51 + 0.9·0.51) = 1 − 0.1·0.969 = 0.9031.
    // Second step, same gradient: g ← 0.5 + 0.01·0.9031 = 0.509031; v ← 0.9·0.51 + 0.509031 = 0.968031;
    // w ← 0.9031 − 0.1·(0.509031 + 0.9·0.968031) = 0.9031 − 0.13802589 = 0.76507411.
    for (const backend of BACKENDS) {
      await selectBackend(backend);
      const p: Param = { name: 'w', layer: 'w', value: tf.keep(tf.tensor1d([1, 1, 1, 1, 1])), grad: null, decay: true, maskable: true };
      const sgd = new Sgd({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
      const values: number[][] = [];
      for (let step = 0; step < 2; step++) {
        p.grad = tf.tensor1d([0.5, 0.5, 0.5, 0.5, 0.5]);
        sgd.step([p], { lr: 0.1, masks: new Map(), denseMomentum: false });
        p.grad.dispose();
        values.push([p.value.dataSync()[4]!, sgd.velocity.get('w')!.dataSync()[4]!]);
      }
      expect(values[0]![0], backend).toBeCloseTo(0.9031, 6);
      expect(values[0]![1], backend).toBeCloseTo(0.51, 6);
      expect(values[1]![0], backend).toBeCloseTo(0.76507411, 6);
      expect(values[1]![1], backend).toBeCloseTo(0.968031, 6);
      // All five positions (four in a SIMD vector, one after) agree.
      expect(new Set(p.value.dataSync()).size, backend).toBe(1);
      sgd.dispose();
      p.value.dispose();
    }
  });
});

describe('softmax cross-entropy on wasm matches cpu', () => {
  async function lossOn(backend: BackendName, logits: Float32Array, labels: Int32Array, classes: number, smoothing: number) {
    await selectBackend(backend);
    expect(hasKernel(KERNEL_NAMES.softmaxCrossEntropy)).toBe(backend === 'wasm');
    return tf.tidy(() => {
      const r = softmaxCrossEntropy(tf.tensor2d(logits, [labels.length, classes]), tf.tensor1d(labels, 'int32'), smoothing);
      return { loss: r.loss.dataSync()[0]!, correct: r.correct.dataSync()[0]!, dLogits: read(r.dLogits) };
    });
  }

  it.each([
    { label: '128 × 10, no smoothing', batch: 128, classes: 10, smoothing: 0, scale: 3 },
    { label: '64 × 100, smoothing 0.1', batch: 64, classes: 100, smoothing: 0.1, scale: 3 },
    { label: 'large logits (a shifted softmax must not overflow)', batch: 16, classes: 10, smoothing: 0, scale: 80 },
  ])('$label', async ({ batch, classes, smoothing, scale }) => {
    const logits = normal(batch * classes, scale);
    const labels = Int32Array.from({ length: batch }, () => rng.nextUint32() % classes);
    const [expected, actual] = [await lossOn('cpu', logits, labels, classes, smoothing), await lossOn('wasm', logits, labels, classes, smoothing)];
    expect(Math.abs(actual.loss - expected.loss) / Math.abs(expected.loss)).toBeLessThan(1e-5);
    expect(actual.correct).toBe(expected.correct);
    expect(relativeError(actual.dLogits, expected.dLogits)).toBeLessThan(1e-5);
  });

  it.each([
    { label: '128 × 10', batch: 128, classes: 10 },
    { label: '70 × 7 (a partial last chunk, classes not a multiple of 4)', batch: 70, classes: 7 },
  ])('takes logits in batch chunks and gives their gradient so, with the same bits ($label)', async ({ batch, classes }) => {
    await selectBackend('wasm');
    const logits = normal(batch * classes, 3);
    const labels = Int32Array.from({ length: batch }, () => rng.nextUint32() % classes);
    tf.tidy(() => {
      const x = tf.tensor2d(logits, [batch, classes]);
      const y = tf.tensor1d(labels, 'int32');
      const plain = softmaxCrossEntropy(x, y, 0.1);
      const chunked = softmaxCrossEntropy(toBatchChunks(x), y, 0.1);
      expect(chunked.loss.dataSync()[0]).toBe(plain.loss.dataSync()[0]);
      expect(chunked.correct.dataSync()[0]).toBe(plain.correct.dataSync()[0]);
      expect(chunked.dLogits.shape).toEqual([classes, batch]);
      expect(isInBatchChunks(chunked.dLogits)).toBe(true);
      expect(read(fromBatchChunks(chunked.dLogits))).toEqual(read(plain.dLogits));
    });
  });

  it('gives hand-checked numbers, counting the first of tied maxima as the prediction', async () => {
    // Row 0: logits [0, 0] (a tie, arg-max 0), label 0: loss ln 2, dLogits [(½ − 1)/2, ½/2].
    // Row 1: logits [ln 3, 0], label 1: p = [¾, ¼], loss ln 4, dLogits [¾/2, (¼ − 1)/2].
    for (const backend of BACKENDS) {
      const r = await lossOn(backend, Float32Array.from([0, 0, Math.log(3), 0]), Int32Array.from([0, 1]), 2, 0);
      expect(r.loss).toBeCloseTo((Math.log(2) + Math.log(4)) / 2, 6);
      expect(r.correct).toBe(1);
      [-0.25, 0.25, 0.375, -0.375].forEach((e, i) => expect(r.dLogits[i]).toBeCloseTo(e, 6));
    }
  });
});

describe('training batches written on the heap', () => {
  it.each([
    { label: '28×28×1, plain', shape: [28, 28, 1] as const, augment: false, count: 300, offset: 0 },
    { label: '32×32×3, padded crop and flip', shape: [32, 32, 3] as const, augment: true, count: 300, offset: 0 },
    // Bytes that are not whole aligned words are copied before the upload rather than viewed.
    { label: '5×5×1, an odd byte count at an odd offset', shape: [5, 5, 1] as const, augment: false, count: 301, offset: 1 },
  ])('$label: the same pixels and labels as the host batches, batch after batch', async ({ shape, augment, count, offset }) => {
    await selectBackend('wasm');
    const size = shape[0] * shape[1] * shape[2];
    const set: ImageSet = {
      images: Uint8Array.from({ length: offset + count * size }, () => rng.nextUint32() & 255).subarray(offset),
      labels: Uint8Array.from({ length: count }, () => rng.nextUint32() % 10),
      count,
      shape: [...shape],
    };
    const options = { batchSize: 64, seed: 3, stats: { mean: shape.map(() => 0.4), std: shape.map(() => 0.3) }, augment };
    const host = new TrainingBatches(set, options);
    const device = new BatchInput(new TrainingBatches(set, options), set);
    expect(hasKernel(KERNEL_NAMES.assembleBatch)).toBe(true);
    // Past an epoch (4 batches of 64 of 300 or 301), so the second shuffle is covered too.
    for (let b = 0; b < 6; b++) {
      const expected = host.next();
      const { x, y, size: rows } = device.next();
      expect(rows).toBe(64);
      expect(x.shape).toEqual([64, ...shape]);
      expect(differences(read(x), expected.images.subarray(0, 64 * size))).toEqual({ count: 0, largest: 0, first: '' });
      expect(Array.from(y.dataSync())).toEqual(Array.from(expected.labels));
      tf.dispose([x, y]);
    }
    device.dispose();
  });
});

describe('training batches written on the heap in batch chunks (for a compressed first layer)', () => {
  it.each([
    { label: '28×28×1, plain, batches of 38 (a last chunk of 6: four images at a time, then two)', shape: [28, 28, 1] as const, augment: false, batchSize: 38 },
    { label: '32×32×3, padded crop and flip', shape: [32, 32, 3] as const, augment: true, batchSize: 64 },
  ])('$label: the batch-major batch, transposed chunk by chunk', async ({ shape, augment, batchSize }) => {
    await selectBackend('wasm');
    const size = shape[0] * shape[1] * shape[2];
    const count = 300;
    const set: ImageSet = {
      images: Uint8Array.from({ length: count * size }, () => rng.nextUint32() & 255),
      labels: Uint8Array.from({ length: count }, () => rng.nextUint32() % 10),
      count,
      shape: [...shape],
    };
    const options = { batchSize, seed: 5, stats: { mean: shape.map(() => 0.4), std: shape.map(() => 0.3) }, augment };
    const [batchMajor, chunked] = [new BatchInput(new TrainingBatches(set, options), set), new BatchInput(new TrainingBatches(set, options), set)];
    for (let b = 0; b < 3; b++) {
      const expected = batchMajor.next();
      const actual = chunked.next(true);
      expect(isInBatchChunks(actual.x)).toBe(true);
      expect(actual.x.shape).toEqual([size, batchSize]);
      const transposed = toBatchChunks(tf.reshape(expected.x, [batchSize, size]));
      expect(differences(read(actual.x), read(transposed))).toEqual({ count: 0, largest: 0, first: '' });
      expect(Array.from(actual.y.dataSync())).toEqual(Array.from(expected.y.dataSync()));
      tf.dispose([expected.x, expected.y, actual.x, actual.y, transposed]);
    }
    batchMajor.dispose();
    chunked.dispose();
  });
});

describe('magnitude ranking on the device (a RigL update\'s drop and growth)', () => {
  it.each([
    { label: 'a small layer (no sampled bound)', size: 3000, active: 0.1, k: 250, quantised: false, holes: false },
    { label: 'LeNet-300-100 fc1 at 92% sparsity', size: 235200, active: 0.08, k: 5600, quantised: false, holes: false },
    { label: 'many ties (values on a coarse grid)', size: 60000, active: 0.2, k: 3000, quantised: true, holes: false },
    { label: 'every candidate', size: 5000, active: 0.5, k: 2500, quantised: false, holes: false },
    { label: 'a fifth exact zeros and a ninth NaN (the sample leaves NaN out)', size: 50000, active: 0.3, k: 4000, quantised: false, holes: true },
  ])('$label: the positions largestK and smallestK pick on the host', async ({ size, active, k, quantised, holes }) => {
    await selectBackend('wasm');
    expect(ranksOnDevice()).toBe(true);
    const mask = Uint8Array.from({ length: size }, () => (rng.next() < active ? 1 : 0));
    const scores = normal(size).map((v, i) => (holes && i % 9 === 0 ? NaN : holes && i % 5 === 0 ? 0 : quantised ? Math.round(v * 4) / 4 : v));
    const inactive = mask.reduce((a, b) => a + (b === 0 ? 1 : 0), 0);
    const values = tf.tensor1d(scores);
    for (const want of [0, 1] as const) {
      const count = want === 0 ? inactive : size - inactive;
      const candidates = { mask, want, count };
      const take = Math.min(k, count);
      expect(Array.from(selectMagnitudes(values, candidates, take, true, 'test'))).toEqual(Array.from(largestK(scores, candidates, take)));
      expect(Array.from(selectMagnitudes(values, candidates, take, false, 'test'))).toEqual(Array.from(smallestK(scores, candidates, take)));
    }
    const all = Uint32Array.from(scores.keys());
    expect(Array.from(selectMagnitudes(values, 'all', k, false, 'test'))).toEqual(Array.from(smallestK(scores, all, k)));
    values.dispose();
  });

  it('leaves out NaN magnitudes, as the host does', async () => {
    await selectBackend('wasm');
    const scores = Float32Array.from([5, NaN, -7, 1, NaN, 2]);
    const mask = Uint8Array.from([0, 0, 0, 1, 0, 0]);
    const values = tf.tensor1d(scores);
    const candidates = { mask, want: 0 as const, count: 5 };
    expect(Array.from(selectMagnitudes(values, candidates, 5, true, 'test'))).toEqual(Array.from(largestK(scores, candidates, 5)));
    expect(Array.from(selectMagnitudes(values, candidates, 2, true, 'test'))).toEqual([0, 2]);
    expect(Array.from(selectMagnitudes(values, candidates, 1, false, 'test'))).toEqual([5]);
    values.dispose();
  });
});

describe('merging a layer\'s active positions on the device (a mask update\'s new positions)', () => {
  /** A random update of `size` positions: active ones, some dropped, some grown (dropped ones among the candidates). */
  function randomUpdate(size: number, density: number, share: number) {
    const mask = Uint8Array.from({ length: size }, () => (rng.next() < density ? 1 : 0));
    const active = positions(mask, true);
    const dropped = active.filter(() => rng.next() < share);
    const after = Uint8Array.from(mask);
    for (const p of dropped) after[p] = 0;
    const grown = positions(after, false).filter(() => rng.next() < (share * density) / (1 - density + share * density));
    return { active, dropped, grown };
  }

  it('lists what the host lists, in every arrangement of drops and growth', async () => {
    await selectBackend('wasm');
    expect(mergesOnDevice()).toBe(true);
    const cases = [
      // LeNet-300-100's first layer under RigL-ERK at 90%, and its second.
      randomUpdate(235200, 0.08, 0.3),
      randomUpdate(30000, 0.23, 0.3),
      // Nothing dropped or grown; everything dropped; growth before the first and past the last active position.
      { active: Uint32Array.of(3, 5, 9), dropped: new Uint32Array(0), grown: new Uint32Array(0) },
      { active: Uint32Array.of(3, 5, 9), dropped: Uint32Array.of(3, 5, 9), grown: Uint32Array.of(0, 12) },
      // Dropped, then grown again (keeps its index 1), and an empty layer growing.
      { active: Uint32Array.of(3, 5, 9), dropped: Uint32Array.of(5, 9), grown: Uint32Array.of(1, 5, 10) },
      { active: new Uint32Array(0), dropped: new Uint32Array(0), grown: Uint32Array.of(2, 4) },
      ...Array.from({ length: 40 }, () => randomUpdate(1 + rng.int(200), rng.next(), rng.next())),
    ];
    for (const { active, dropped, grown } of cases) {
      const host = mergeActive(active, dropped, grown);
      const expected = { positions: Array.from(host.positions), sources: Array.from(host.sources) };
      const device = mergeOnDevice(active, dropped, grown);
      expect({ positions: Array.from(device.positions), sources: Array.from(device.sources) }).toEqual(expected);
    }
    const regrown = mergeOnDevice(Uint32Array.of(3, 5, 9), Uint32Array.of(5, 9), Uint32Array.of(1, 5, 10));
    expect(Array.from(regrown.positions)).toEqual([1, 3, 5, 10]);
    expect(Array.from(regrown.sources)).toEqual([-1, 0, 1, -1]);
  });

  it('writes into the caller\'s buffer when it has the right length', async () => {
    await selectBackend('wasm');
    const into = new Uint32Array(3);
    expect(mergeOnDevice(Uint32Array.of(3, 5, 9), Uint32Array.of(5), Uint32Array.of(7), into).positions).toBe(into);
    expect(Array.from(into)).toEqual([3, 7, 9]);
  });

  it('refuses lists that break the rules instead of writing past its output', async () => {
    await selectBackend('wasm');
    const tensors = tf.memory().numTensors;
    // 4 is not active: nothing is dropped, and three positions will not fit in the two promised.
    expect(() => mergeOnDevice(Uint32Array.of(3, 5), Uint32Array.of(4), Uint32Array.of(7))).toThrow(/do not merge to 2 positions/);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('moves a compressed kernel in one call: the weights and momentum movedTo and carried give, and the row index of its new positions', async () => {
    await selectBackend('wasm');
    const tensors = tf.memory().numTensors;
    const shape = [784, 300];
    for (const { active, dropped, grown } of [randomUpdate(784 * 300, 0.08, 0.3), { active: Uint32Array.of(3, 5, 9), dropped: Uint32Array.of(5, 9), grown: Uint32Array.of(1, 5, 10) }]) {
      const weights = CompressedWeights.of(shape, active, normal(active.length));
      const momentum = tf.tensor1d(normal(active.length));
      const moved = moveOnDevice(weights, momentum, { active, dropped, grown });
      const host = mergeActive(active, dropped, grown);
      expect(Array.from(moved.merged.positions)).toEqual(Array.from(host.positions));
      expect(Array.from(moved.merged.sources)).toEqual(Array.from(host.sources));
      const reference = weights.movedTo(Uint32Array.from(host.positions), Int32Array.from(host.sources));
      expect(Array.from(moved.weights.values.dataSync())).toEqual(Array.from(reference.values.dataSync()));
      const carried = reference.carried(momentum);
      expect(Array.from(moved.momentum!.dataSync())).toEqual(Array.from(carried.dataSync()));
      for (const key of ['rowPtr', 'cols'] as const) expect(Array.from(moved.weights.byRow()[key].dataSync())).toEqual(Array.from(reference.byRow()[key].dataSync()));
      // Without momentum (before a kernel's first step) it carries the weights alone.
      const withoutMomentum = moveOnDevice(weights, null, { active, dropped, grown });
      expect(withoutMomentum.momentum).toBeNull();
      tf.dispose([momentum, moved.momentum!, carried]);
      for (const w of [weights, moved.weights, reference, withoutMomentum.weights]) w.dispose();
    }
    // A position past the kernel is refused before anything is made.
    const weights = CompressedWeights.of([2, 3], Uint32Array.of(1, 4), Float32Array.of(1, 2));
    const before = tf.memory().numTensors;
    expect(() => moveOnDevice(weights, null, { active: Uint32Array.of(1, 4), dropped: new Uint32Array(0), grown: Uint32Array.of(6) })).toThrow(/past a \[2, 3\] kernel/);
    expect(tf.memory().numTensors).toBe(before);
    weights.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
