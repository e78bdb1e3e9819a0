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
    // Strided, on phase planes: WRN's first convolution of a group ('same' on an even size pads
    // only at the bottom and right), on odd sizes (padded on both sides), 'valid' leaving the last
    // rows and columns unread, a stride of 3, and strides larger than the window (phases no tap reads).
    { batch: 33, h: 16, w: 16, filter: [3, 3, 32, 64] as Shape4, pad: 'same' as Padding, density: 0.14, stride: 2 },
    { batch: 3, h: 7, w: 9, filter: [3, 3, 5, 6] as Shape4, pad: 'same' as Padding, density: 0.5, stride: 2 },
    { batch: 2, h: 11, w: 10, filter: [5, 5, 3, 4] as Shape4, pad: 'valid' as Padding, density: 0.6, stride: 2 },
    { batch: 2, h: 10, w: 13, filter: [3, 2, 2, 5] as Shape4, pad: 'same' as Padding, density: 0.7, stride: 3 },
    { batch: 4, h: 8, w: 7, filter: [1, 1, 6, 8] as Shape4, pad: 'same' as Padding, density: 0.6, stride: 2 },
    { batch: 2, h: 14, w: 14, filter: [1, 1, 3, 5] as Shape4, pad: 'valid' as Padding, density: 0.8, stride: 2 },
    { batch: 2, h: 9, w: 9, filter: [2, 2, 3, 3] as Shape4, pad: 'valid' as Padding, density: 0.8, stride: 3 },
    // A stride of 3 with padding at the left (1, not a multiple of the stride).
    { batch: 2, h: 9, w: 9, filter: [5, 5, 2, 3] as Shape4, pad: 'same' as Padding, density: 0.7, stride: 3 },
  ].map((c) => ({ stride: 1, ...c })))('input $h×$w, filter $filter, $pad, stride $stride, batch $batch, density $density', ({ batch, h, w, filter, pad, density, stride }) => {
    const dense = randomSparseFilter(filter, density);
    const packed = compressedFrom(dense, filter);
    // NaN left in the kernels' scratch right before each call: a value read that the call did not
    // write shows in its results.
    const poisonScratch = () => sparseConv2d(tf.fill([2, h + 8, w + 8, filter[2]], NaN) as tf.Tensor4D, packed, null, 1, 'same').dataSync();
    tf.tidy(() => {
      const W = tf.tensor4d(dense, filter);
      const b = tf.tensor1d(randn(filter[3]));
      const x = tf.tensor4d(randn(batch * h * w * filter[2]), [batch, h, w, filter[2]]);
      const expected = tf.add(tf.conv2d(x, W, stride, pad), b);
      poisonScratch();
      const y = sparseConv2d(x, packed, b, stride, pad);
      expect(y.shape).toEqual(expected.shape);
      expect(relativeError(y.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      const expectedWithoutBias = tf.conv2d(x, W, stride, pad);
      poisonScratch();
      expect(relativeError(sparseConv2d(x, packed, null, stride, pad).dataSync(), expectedWithoutBias.dataSync())).toBeLessThan(1e-5);

      const dy = tf.tensor4d(randn(expected.size), expected.shape as Shape4);
      poisonScratch();
      const { grad, dx } = sparseConv2dGrad(x, dy, packed, stride, pad, { activeGradient: true, inputGradient: true });
      const denseGrad = conv2dBackpropFilter(x, dy, filter, stride, pad).dataSync();
      expect(relativeError(grad!.dataSync(), Float32Array.from(packed.positions, (p) => denseGrad[p]!))).toBeLessThan(1e-5);
      expect(relativeError(dx!.dataSync(), conv2dBackpropInput(dy, W, x.shape, stride, pad).dataSync())).toBeLessThan(1e-5);
      // The weight gradient alone (a network's first layer), its sums where dx's planes were: the same numbers.
      poisonScratch();
      const alone = sparseConv2dGrad(x, dy, packed, stride, pad, { activeGradient: true, inputGradient: false });
      expect(Array.from(alone.grad!.dataSync())).toEqual(Array.from(grad!.dataSync()));
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
      expect(Array.from(tf.conv2d(x, W, 1, pad).dataSync())).toEqual(Array.from(sparseConv2d(x, packed, null, 1, pad).dataSync()));
      expect(Array.from(tf.fused.conv2d({ x, filter: W, strides: 1, pad, bias: b }).dataSync())).toEqual(Array.from(sparseConv2d(x, packed, b, 1, pad).dataSync()));
    });
    packed.dispose();
  });

  it('gives hand-checked numbers, and only the outputs asked for', () => {
    // One 2×2 image of one channel, a 2×2 filter with two active taps into one output channel:
    // w[0, 0] = 2 and w[1, 1] = -1, so y = 2·x[0, 0] − x[1, 1] = 2·1 − 4 = −2, plus the bias 0.5.
    const packed = CompressedWeights.of([2, 2, 1, 1], Uint32Array.from([0, 3]), Float32Array.from([2, -1]));
    tf.tidy(() => {
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      expect(Array.from(sparseConv2d(x, packed, tf.tensor1d([0.5]), 1, 'valid').dataSync())).toEqual([-1.5]);
      // dL/dy = 3: dL/dw at the active taps is 3·x there (3 and 12); dL/dx is 3·w at the taps.
      const dy = tf.tensor4d([3], [1, 1, 1, 1]);
      const both = sparseConv2dGrad(x, dy, packed, 1, 'valid', { activeGradient: true, inputGradient: true });
      expect(Array.from(both.grad!.dataSync())).toEqual([3, 12]);
      expect(Array.from(both.dx!.dataSync())).toEqual([6, 0, 0, -3]);
      const onlyDx = sparseConv2dGrad(x, dy, packed, 1, 'valid', { activeGradient: false, inputGradient: true });
      expect(onlyDx.grad).toBeNull();
      expect(Array.from(onlyDx.dx!.dataSync())).toEqual([6, 0, 0, -3]);
      expect(sparseConv2dGrad(x, dy, packed, 1, 'valid', { activeGradient: true, inputGradient: false }).dx).toBeNull();
    });
    packed.dispose();
  });

  it('gives hand-checked numbers at stride 2', () => {
    // One 4×4 image of one channel holding 1 … 16 row by row, a 2×2 filter with w[0, 0] = 1 and
    // w[1, 1] = 2, stride 2, 'valid': output (i, j) is x[2i, 2j] + 2·x[2i + 1, 2j + 1], i.e.
    // 1 + 2·6 = 13, 3 + 2·8 = 19, 9 + 2·14 = 37, 11 + 2·16 = 43.
    const packed = CompressedWeights.of([2, 2, 1, 1], Uint32Array.from([0, 3]), Float32Array.from([1, 2]));
    tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
      expect(Array.from(sparseConv2d(x, packed, null, 2, 'valid').dataSync())).toEqual([13, 19, 37, 43]);
      // dL/dy = 1, 2, 3, 4: dL/dw[0, 0] = 1·1 + 2·3 + 3·9 + 4·11 = 78, dL/dw[1, 1] = 1·6 + 2·8 + 3·14 +
      // 4·16 = 128; each input pixel is read by one window at most, so dL/dx is dL/dy times the tap's
      // weight there and 0 at the pixels no tap reads (none here: 2×2 windows at stride 2 tile it).
      const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const { grad, dx } = sparseConv2dGrad(x, dy, packed, 2, 'valid', { activeGradient: true, inputGradient: true });
      expect(Array.from(grad!.dataSync())).toEqual([78, 128]);
      expect(Array.from(dx!.dataSync())).toEqual([1, 0, 2, 0, 0, 2, 0, 4, 3, 0, 4, 0, 0, 6, 0, 8]);
    });
    packed.dispose();
  });

  it('refuses a stride that is not a positive integer, naming it', () => {
    const packed = CompressedWeights.of([1, 1, 1, 1], Uint32Array.from([0]), Float32Array.from([1]));
    tf.tidy(() => {
      expect(() => sparseConv2d(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, packed, null, 0, 'valid')).toThrow('RiglSparseConv: stride must be a positive integer, got 0');
    });
    packed.dispose();
  });

  it.each([
    // 3 output rows at the padded width 11 make 33 floats: the second tile of 32 reads up to
    // kw − 1 = 2 floats past them.
    { stride: 1, nanShape: [2, 8, 11, 2] as Shape4, xShape: [3, 5, 11, 2] as Shape4 },
    // 4 output rows at the plane width 5 make 20 floats: the tile reads up to 12 + 1 floats past
    // them, past the last of the eight phase planes (2 channels × 4 phases), none of them zeroed
    // first (every row and column of the input falls in a plane).
    { stride: 2, nanShape: [2, 16, 16, 2] as Shape4, xShape: [3, 10, 10, 2] as Shape4 },
  ])('reads nothing past the padded image it wrote, whatever its scratch held before (stride $stride)', ({ stride, nanShape, xShape }) => {
    // A first call on an input full of NaN leaves NaN in the scratch.
    const filter: Shape4 = [3, 3, 2, 15];
    const dense = randomSparseFilter(filter, 0.5);
    const packed = compressedFrom(dense, filter);
    tf.tidy(() => {
      sparseConv2d(tf.fill(nanShape, NaN) as tf.Tensor4D, packed, null, stride, 'valid').dataSync();
      const x = tf.tensor4d(randn(tf.util.sizeFromShape(xShape)), xShape);
      // The output's shape without running a convolution, which would write over the scratch.
      const yShape = tf.backend_util.computeConv2DInfo(xShape, filter, stride, 1, 'valid').outShape;
      const dy = tf.tensor4d(randn(tf.util.sizeFromShape(yShape)), yShape);
      const { grad, dx } = sparseConv2dGrad(x, dy, packed, stride, 'valid', { activeGradient: true, inputGradient: true });
      const denseGrad = conv2dBackpropFilter(x, dy, filter, stride, 'valid').dataSync();
      expect(relativeError(grad!.dataSync(), Float32Array.from(packed.positions, (p) => denseGrad[p]!))).toBeLessThan(1e-5);
      expect(relativeError(dx!.dataSync(), conv2dBackpropInput(dy, tf.tensor4d(dense, filter), x.shape, stride, 'valid').dataSync())).toBeLessThan(1e-5);
    });
    packed.dispose();
  });

  it('names the input whose shape does not fit the filter', () => {
    const packed = CompressedWeights.of([3, 3, 4, 5], Uint32Array.from([0, 7]), Float32Array.from([1, 2]));
    tf.tidy(() => {
      expect(() => sparseConv2d(tf.zeros([2, 6, 6, 3]) as tf.Tensor4D, packed, null, 1, 'same')).toThrow('RiglSparseConv: x has shape [2, 6, 6, 3], expected NHWC with 4 channels');
      expect(() => sparseConv2d(tf.zeros([2, 6, 6, 4]) as tf.Tensor4D, packed, tf.zeros([4]), 1, 'same')).toThrow('RiglSparseConv: bias has shape [4], expected [5]');
      const x = tf.zeros([2, 6, 6, 4]) as tf.Tensor4D;
      expect(() => sparseConv2dGrad(x, tf.zeros([2, 4, 4, 5]) as tf.Tensor4D, packed, 1, 'same', { activeGradient: true, inputGradient: true })).toThrow(
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
