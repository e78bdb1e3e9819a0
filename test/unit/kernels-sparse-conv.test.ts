import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src-shared/random.js';
import type { Padding } from '../../src-shared/models/spec.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { CompressedWeights } from '../../src-main/engine/nn/compressed-weights.js';
import { conv2dBackpropFilter, conv2dBackpropInput, sparseConv2d, sparseConv2dGrad } from '../../src-main/engine/nn/kernels.js';
import { relativeError } from '../helpers/compare.js';

const rng = new Random(23);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
type Shape4 = [number, number, number, number];

/** A random filter keeping positions with probability `density`; output channel 1 stays empty. */
function randomSparseFilter(shape: Shape4, density: number): Float32Array {
  const outC = shape[3];
  return Float32Array.from({ length: tf.util.sizeFromShape(shape) }, (_, p) => (p % outC !== 1 && rng.next() < density ? rng.normal() : 0));
}

function compressedFrom(dense: Float32Array, shape: Shape4): CompressedWeights {
  const positions = Uint32Array.from(Array.from(dense).flatMap((v, i) => (v !== 0 ? [i] : [])));
  return CompressedWeights.of(shape, positions, Float32Array.from(positions, (p) => dense[p]!));
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('the compressed convolution kernels on wasm match the dense convolution', () => {
  it.each([
    // LeNet-5's second convolution.
    { batch: 70, h: 12, w: 12, filter: [5, 5, 20, 50] as Shape4, pad: 'valid' as Padding, density: 0.1 },
    // A WRN block's 3×3 convolution.
    { batch: 33, h: 8, w: 8, filter: [3, 3, 16, 32] as Shape4, pad: 'same' as Padding, density: 0.2 },
    // Output rows of 5 (not whole vectors of four) and of 1.
    { batch: 5, h: 7, w: 7, filter: [3, 3, 3, 6] as Shape4, pad: 'valid' as Padding, density: 0.5 },
    { batch: 3, h: 6, w: 3, filter: [3, 3, 4, 5] as Shape4, pad: 'valid' as Padding, density: 0.6 },
    // An even window under 'same' pads more at the bottom and right than at the top and left.
    { batch: 4, h: 6, w: 9, filter: [2, 4, 3, 7] as Shape4, pad: 'same' as Padding, density: 0.7 },
    { batch: 1, h: 4, w: 4, filter: [1, 1, 8, 8] as Shape4, pad: 'same' as Padding, density: 1 },
    // Tiles of 32 floats that end 1 or 2 floats past the image's outputs (3·11 and 1·3 + 30 floats).
    { batch: 3, h: 5, w: 11, filter: [3, 3, 2, 15] as Shape4, pad: 'valid' as Padding, density: 0.5 },
    { batch: 2, h: 11, w: 1, filter: [3, 3, 1, 4] as Shape4, pad: 'same' as Padding, density: 0.8 },
    // No active weight at all: the output is the bias, the gradients zero.
    { batch: 33, h: 6, w: 6, filter: [3, 3, 4, 5] as Shape4, pad: 'same' as Padding, density: 0 },
  ])('input $h×$w, filter $filter, $pad, batch $batch, density $density', ({ batch, h, w, filter, pad, density }) => {
    const dense = randomSparseFilter(filter, density);
    const packed = compressedFrom(dense, filter);
    tf.tidy(() => {
      const W = tf.tensor4d(dense, filter);
      const b = tf.tensor1d(randn(filter[3]));
      const x = tf.tensor4d(randn(batch * h * w * filter[2]), [batch, h, w, filter[2]]);
      const expected = tf.add(tf.conv2d(x, W, 1, pad), b);
      const y = sparseConv2d(x, packed, b, pad);
      expect(y.shape).toEqual(expected.shape);
      expect(relativeError(y.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      expect(relativeError(sparseConv2d(x, packed, null, pad).dataSync(), tf.conv2d(x, W, 1, pad).dataSync())).toBeLessThan(1e-5);

      const dy = tf.tensor4d(randn(expected.size), expected.shape as Shape4);
      const { grad, dx } = sparseConv2dGrad(x, dy, packed, pad, { activeGradient: true, inputGradient: true });
      const denseGrad = conv2dBackpropFilter(x, dy, filter, 1, pad).dataSync();
      expect(relativeError(grad!.dataSync(), Float32Array.from(packed.positions, (p) => denseGrad[p]!))).toBeLessThan(1e-5);
      expect(relativeError(dx!.dataSync(), conv2dBackpropInput(dy, W, x.shape, 1, pad).dataSync())).toBeLessThan(1e-5);
    });
    packed.dispose();
  });

  // Dense filters with few input channels, over more than one batch chunk, run forward on the
  // two-channel kernel (denseConvForward); it must sum as the compressed kernel does.
  it.each([
    { batch: 40, h: 28, w: 28, filter: [5, 5, 1, 5] as Shape4, pad: 'same' as Padding },
    { batch: 33, h: 10, w: 13, filter: [3, 3, 3, 16] as Shape4, pad: 'valid' as Padding },
  ])('a dense filter $filter forward gives bit for bit the compressed kernel\'s numbers', ({ batch, h, w, filter, pad }) => {
    const dense = randn(tf.util.sizeFromShape(filter));
    const packed = compressedFrom(dense, filter);
    expect(packed.positions.length).toBe(dense.length);
    tf.tidy(() => {
      const W = tf.tensor4d(dense, filter);
      const b = tf.tensor1d(randn(filter[3]));
      const x = tf.tensor4d(randn(batch * h * w * filter[2]), [batch, h, w, filter[2]]);
      expect(Array.from(tf.conv2d(x, W, 1, pad).dataSync())).toEqual(Array.from(sparseConv2d(x, packed, null, pad).dataSync()));
      expect(Array.from(tf.fused.conv2d({ x, filter: W, strides: 1, pad, bias: b }).dataSync())).toEqual(Array.from(sparseConv2d(x, packed, b, pad).dataSync()));
    });
    packed.dispose();
  });

  it('gives hand-checked numbers, and only the outputs asked for', () => {
    // One 2×2 image of one channel, a 2×2 filter with two active taps into one output channel:
    // w[0, 0] = 2 and w[1, 1] = -1, so y = 2·x[0, 0] − x[1, 1] = 2·1 − 4 = −2, plus the bias 0.5.
    const packed = CompressedWeights.of([2, 2, 1, 1], Uint32Array.from([0, 3]), Float32Array.from([2, -1]));
    tf.tidy(() => {
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      expect(Array.from(sparseConv2d(x, packed, tf.tensor1d([0.5]), 'valid').dataSync())).toEqual([-1.5]);
      // dL/dy = 3: dL/dw at the active taps is 3·x there (3 and 12); dL/dx is 3·w at the taps.
      const dy = tf.tensor4d([3], [1, 1, 1, 1]);
      const both = sparseConv2dGrad(x, dy, packed, 'valid', { activeGradient: true, inputGradient: true });
      expect(Array.from(both.grad!.dataSync())).toEqual([3, 12]);
      expect(Array.from(both.dx!.dataSync())).toEqual([6, 0, 0, -3]);
      const onlyDx = sparseConv2dGrad(x, dy, packed, 'valid', { activeGradient: false, inputGradient: true });
      expect(onlyDx.grad).toBeNull();
      expect(Array.from(onlyDx.dx!.dataSync())).toEqual([6, 0, 0, -3]);
      expect(sparseConv2dGrad(x, dy, packed, 'valid', { activeGradient: true, inputGradient: false }).dx).toBeNull();
    });
    packed.dispose();
  });

  it('reads nothing past the padded image it wrote, whatever its scratch held before', () => {
    // 3 output rows at the padded width 11 make 33 floats: the second tile of 32 reads up to
    // kw − 1 = 2 floats past them. A first call on an input full of NaN leaves NaN there.
    const filter: Shape4 = [3, 3, 2, 15];
    const dense = randomSparseFilter(filter, 0.5);
    const packed = compressedFrom(dense, filter);
    tf.tidy(() => {
      sparseConv2d(tf.fill([2, 8, 11, 2], NaN) as tf.Tensor4D, packed, null, 'valid').dataSync();
      const x = tf.tensor4d(randn(3 * 5 * 11 * 2), [3, 5, 11, 2]);
      const dy = tf.tensor4d(randn(3 * 3 * 9 * 15), [3, 3, 9, 15]);
      const { grad, dx } = sparseConv2dGrad(x, dy, packed, 'valid', { activeGradient: true, inputGradient: true });
      const denseGrad = conv2dBackpropFilter(x, dy, filter, 1, 'valid').dataSync();
      expect(relativeError(grad!.dataSync(), Float32Array.from(packed.positions, (p) => denseGrad[p]!))).toBeLessThan(1e-5);
      expect(relativeError(dx!.dataSync(), conv2dBackpropInput(dy, tf.tensor4d(dense, filter), x.shape, 1, 'valid').dataSync())).toBeLessThan(1e-5);
    });
    packed.dispose();
  });

  it('names the input whose shape does not fit the filter', () => {
    const packed = CompressedWeights.of([3, 3, 4, 5], Uint32Array.from([0, 7]), Float32Array.from([1, 2]));
    tf.tidy(() => {
      expect(() => sparseConv2d(tf.zeros([2, 6, 6, 3]) as tf.Tensor4D, packed, null, 'same')).toThrow('RiglSparseConv: x has shape [2, 6, 6, 3], expected NHWC with 4 channels');
      expect(() => sparseConv2d(tf.zeros([2, 6, 6, 4]) as tf.Tensor4D, packed, tf.zeros([4]), 'same')).toThrow('RiglSparseConv: bias has shape [4], expected [5]');
      const x = tf.zeros([2, 6, 6, 4]) as tf.Tensor4D;
      expect(() => sparseConv2dGrad(x, tf.zeros([2, 4, 4, 5]) as tf.Tensor4D, packed, 'same', { activeGradient: true, inputGradient: true })).toThrow(
        'RiglSparseConvGrad: dy has shape [2, 4, 4, 5], expected [2, 6, 6, 5]',
      );
    });
    packed.dispose();
  });

  it('indexes the active positions by output channel, in position order within each', () => {
    // Filter [1, 2, 2, 3]: position p is tap row ⌊p / 3⌋ into output channel p mod 3.
    const packed = CompressedWeights.of([1, 2, 2, 3], Uint32Array.from([0, 2, 4, 5, 9, 11]), new Float32Array(6));
    const index = packed.byChannel();
    expect(Array.from(index.channelPtr.dataSync())).toEqual([0, 2, 3, 6]);
    expect(Array.from(index.rows.dataSync())).toEqual([0, 3, 1, 0, 1, 3]);
    expect(Array.from(index.order.dataSync())).toEqual([0, 4, 2, 1, 3, 5]);
    expect(() => packed.byRow()).toThrow(/indexed by channel/);
    expect(packed.toDense().shape).toEqual([1, 2, 2, 3]);
    packed.dispose();
  });
});
