import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { runsWinograd } from '../../src-main/engine/kernels/winograd.js';
import { MAX_COMPRESSED_DENSITY, shouldCompress } from '../../src-main/engine/nn/compressed-weights.js';
import { Conv2D } from '../../src-main/engine/nn/conv.js';
import { Dense } from '../../src-main/engine/nn/dense.js';

describe('which dense convolutions run by Winograd F(2×2, 3×3) (the rule of winograd.as)', () => {
  it.each([
    { label: 'WRN 3×3, 16 to 32', filter: [3, 3, 16, 32], stride: 1, winograd: true },
    { label: 'WRN 3×3, 128 to 128', filter: [3, 3, 128, 128], stride: 1, winograd: true },
    { label: 'the CIFAR stem (3 input channels)', filter: [3, 3, 3, 16], stride: 1, winograd: false },
    { label: 'stride 2', filter: [3, 3, 32, 64], stride: 2, winograd: false },
    { label: '5×5 (LeNet-5)', filter: [5, 5, 20, 50], stride: 1, winograd: false },
    { label: '1×1 shortcut', filter: [1, 1, 32, 64], stride: 1, winograd: false },
    { label: 'output channels not a multiple of 4', filter: [3, 3, 12, 10], stride: 1, winograd: false },
    { label: 'fewer than 8 output channels (its input gradient)', filter: [3, 3, 16, 4], stride: 1, winograd: false },
  ])('$label: $winograd', ({ filter, stride, winograd }) => {
    expect(runsWinograd(filter, stride)).toBe(winograd);
  });
});

describe('the densest mask at which a layer trains compressed', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('is 0.2 for a convolution whose dense passes run by Winograd, 0.3 for other convolutions, 0.4 for fully connected layers', () => {
    const layers = [
      new Conv2D('winograd', tf.zeros([3, 3, 16, 32]), null, 1, 'same'),
      new Conv2D('strided', tf.zeros([3, 3, 16, 32]), null, 2, 'same'),
      new Conv2D('lenet', tf.zeros([5, 5, 20, 50]), null, 1, 'valid'),
      new Dense('fc', tf.zeros([784, 300]), null),
    ];
    expect(layers.map((layer) => layer.kernel.maxCompressedDensity)).toEqual([0.2, 0.3, 0.3, 0.4]);
    tf.dispose(layers.flatMap((layer) => layer.params().map((p) => p.value)));
  });
});

describe('whether a masked kernel trains compressed (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('counts the limit in whole weights: a mask at exactly the limit sparsity, its active count rounded up, still compresses', () => {
    const winograd = { sparseForm: 'channels' as const, maxCompressedDensity: MAX_COMPRESSED_DENSITY.winograd };
    // WRN's 3×3 32 to 32 at uniform 80%: 2304 − ⌊0.8 · 2304⌋ = 461 active, density 0.2001.
    expect(shouldCompress(winograd, 461, 2304)).toBe(true);
    expect(shouldCompress(winograd, 462, 2304)).toBe(false);
    // 0.3 · 10 is 3.0000000000000004 in floating point: still 3 weights.
    const conv = { sparseForm: 'channels' as const, maxCompressedDensity: MAX_COMPRESSED_DENSITY.channels };
    expect([shouldCompress(conv, 3, 10), shouldCompress(conv, 4, 10)]).toEqual([true, false]);
    const rows = { sparseForm: 'rows' as const, maxCompressedDensity: MAX_COMPRESSED_DENSITY.rows };
    expect([shouldCompress(rows, 94080, 235200), shouldCompress(rows, 94081, 235200)]).toEqual([true, false]);
  });
});
