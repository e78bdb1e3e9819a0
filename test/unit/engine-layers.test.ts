import '@tensorflow/tfjs'; // registers tfjs's autodiff gradients: the reference for our hand-written backward passes
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src-shared/models/spec.js';
import { Random } from '../../src-shared/random.js';
import { buildNetwork } from '../../src-main/engine/nn/build.js';
import type { Module } from '../../src-main/engine/nn/module.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  const diff = tf.norm(tf.sub(a, b)).dataSync()[0]!;
  const scale = Math.max(tf.norm(a).dataSync()[0]!, tf.norm(b).dataSync()[0]!, 1e-12);
  return diff / scale;
}

/** Our backward pass against tfjs autodiff of the same forward pass, for the input and every parameter. */
function checkGradients(layers: LayerSpec[], inputShape: number[], seed = 1): void {
  const rng = new Random(seed);
  const network: Module = buildNetwork(
    { name: 't', label: 't', inputShape: [1, 1, 1], classes: 1, layers },
    rng,
    { inputGradient: true },
  );
  const params = network.params();
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), inputShape);
  const ctx = { training: true, nextSeed: () => 7, denseGradients: true };
  tf.tidy(() => {
    const y = network.forward(x, ctx);
    const r = tf.tensor(Float32Array.from({ length: y.size }, () => rng.normal()), y.shape);
    const dx = network.backward(r)!;
    const ours = [dx, ...params.map((p) => p.grad!)];

    const originals = params.map((p) => p.value);
    const reference = tf.grads((...args: tf.Tensor[]) => {
      params.forEach((p, i) => (p.value = args[i + 1]!));
      return tf.sum(tf.mul(network.forward(args[0]!, ctx), r));
    })([x, ...originals]);
    params.forEach((p, i) => (p.value = originals[i]!));

    ours.forEach((g, i) => {
      const name = i === 0 ? 'input' : params[i - 1]!.name;
      expect(relativeError(g, reference[i]!), name).toBeLessThan(1e-4);
    });
  });
}

describe('hand-written backward passes match autodiff', () => {
  it('dense with bias', () => {
    checkGradients([{ kind: 'dense', name: 'fc', kernel: [6, 4], bias: true }], [5, 6]);
  });

  it('conv 3x3 same stride 1 and 2, 5x5 valid with bias, 1x1 stride 2', () => {
    checkGradients([{ kind: 'conv', name: 'c', kernel: [3, 3, 2, 3], stride: 1, padding: 'same', bias: false, outSize: [6, 6] }], [2, 6, 6, 2]);
    checkGradients([{ kind: 'conv', name: 'c', kernel: [3, 3, 2, 3], stride: 2, padding: 'same', bias: false, outSize: [4, 4] }], [2, 7, 7, 2]);
    checkGradients([{ kind: 'conv', name: 'c', kernel: [5, 5, 1, 4], stride: 1, padding: 'valid', bias: true, outSize: [4, 4] }], [3, 8, 8, 1]);
    checkGradients([{ kind: 'conv', name: 'c', kernel: [1, 1, 3, 2], stride: 2, padding: 'same', bias: false, outSize: [3, 3] }], [2, 6, 6, 3]);
  });

  it('batch norm on images and on flat features', () => {
    checkGradients([{ kind: 'batchnorm', name: 'bn', channels: 3 }], [4, 3, 3, 3]);
    checkGradients([{ kind: 'batchnorm', name: 'bn', channels: 5 }], [6, 5]);
  });

  it('relu, max-pool, global average pool, flatten', () => {
    checkGradients(
      [
        { kind: 'conv', name: 'c', kernel: [3, 3, 1, 2], stride: 1, padding: 'same', bias: true, outSize: [6, 6] },
        { kind: 'relu' },
        { kind: 'maxpool', size: 2, stride: 2 },
        { kind: 'flatten' },
        { kind: 'dense', name: 'fc', kernel: [18, 3], bias: true },
      ],
      [2, 6, 6, 1],
    );
    checkGradients([{ kind: 'globalavgpool' }], [2, 4, 4, 3]);
  });

  it('dropout (same seed in both passes)', () => {
    checkGradients([{ kind: 'dropout', rate: 0.5 }, { kind: 'dense', name: 'fc', kernel: [8, 2], bias: false }], [4, 8]);
  });

  it('pre-activation residual block with a projection shortcut', () => {
    checkGradients(
      [
        { kind: 'batchnorm', name: 'bn1', channels: 2 },
        { kind: 'relu' },
        {
          kind: 'residual',
          main: [
            { kind: 'conv', name: 'c1', kernel: [3, 3, 2, 4], stride: 2, padding: 'same', bias: false, outSize: [3, 3] },
            { kind: 'batchnorm', name: 'bn2', channels: 4 },
            { kind: 'relu' },
            { kind: 'conv', name: 'c2', kernel: [3, 3, 4, 4], stride: 1, padding: 'same', bias: false, outSize: [3, 3] },
          ],
          shortcut: [{ kind: 'conv', name: 'sc', kernel: [1, 1, 2, 4], stride: 2, padding: 'same', bias: false, outSize: [3, 3] }],
        },
        { kind: 'residual', main: [{ kind: 'relu' }], shortcut: [] },
      ],
      [3, 6, 6, 2],
    );
  });
});

describe('a ReLU before max-pooling (built pooling first)', () => {
  it('gives the values and gradient of the ReLU taken first', () => {
    // Windows: all negative (0 out, no gradient), a tie at 5 (the first gets dy), all zero, and 3.
    const x = tf.tensor4d([-1, -2, 5, 1, -3, -4, 5, 0, 0, 0, -1, 2, 0, 0, 3, -5], [1, 4, 4, 1]);
    const network = buildNetwork(
      { name: 't', label: 't', inputShape: [4, 4, 1], classes: 1, layers: [{ kind: 'relu' }, { kind: 'maxpool', size: 2, stride: 2 }] },
      new Random(1),
      { inputGradient: true },
    );
    expect(network.modules.map((m) => m.constructor.name)).toEqual(['MaxPool', 'Relu']);
    const y = network.forward(x, { training: true, nextSeed: () => 7, denseGradients: true });
    expect(Array.from(y.dataSync())).toEqual([0, 5, 0, 3]);
    const dx = network.backward(tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]))!;
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0]);
  });
});

describe('the first weighted layer skips the gradient of the images', () => {
  const ctx = { training: true, nextSeed: () => 7, denseGradients: true };
  const spec = (layers: LayerSpec[]) => ({ name: 't', label: 't', inputShape: [1, 1, 1] as [number, number, number], classes: 1, layers });

  it('returns no input gradient by default, and the same parameter gradients as with one', () => {
    const layers: LayerSpec[] = [
      { kind: 'conv', name: 'c', kernel: [3, 3, 1, 2], stride: 1, padding: 'same', bias: true, outSize: [4, 4] },
      { kind: 'relu' },
      { kind: 'flatten' },
      { kind: 'dense', name: 'fc', kernel: [32, 3], bias: true },
    ];
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 3);
    const run = (inputGradient: boolean) => {
      const network = buildNetwork(spec(layers), new Random(1), { inputGradient });
      const dy = tf.onesLike(network.forward(x, ctx));
      const dx = network.backward(dy);
      return { dx, grads: network.params().map((p) => Array.from(p.grad!.dataSync())) };
    };
    const skipping = run(false);
    const full = run(true);
    expect(skipping.dx).toBeNull();
    expect(full.dx?.shape).toEqual([2, 4, 4, 1]);
    expect(skipping.grads).toEqual(full.grads);
  });

  it('keeps it when the first weighted layer is a batch norm', () => {
    const network = buildNetwork(spec([{ kind: 'batchnorm', name: 'bn', channels: 3 }]), new Random(1));
    const x = tf.randomNormal([4, 3]);
    const dx = network.backward(tf.onesLike(network.forward(x, ctx)));
    expect(dx?.shape).toEqual([4, 3]);
  });
});
