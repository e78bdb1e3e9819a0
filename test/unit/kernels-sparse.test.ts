import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs'; // registers tfjs's autodiff gradients: the reference for the compressed layer's backward pass
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { KERNEL_NAMES } from '../../src-main/engine/kernels/names.js';
import { CompressedWeights } from '../../src-main/engine/nn/compressed-weights.js';
import { compressedDense, compressedDenseGrad, reluGrad } from '../../src-main/engine/nn/kernels.js';
import { fromBatchChunks, isInBatchChunks, markBatchChunks, toBatchChunks } from '../../src-main/engine/nn/batch-chunks.js';
import { sumLeadingAxes } from '../../src-main/engine/nn/reduce.js';
import { Dense } from '../../src-main/engine/nn/dense.js';
import { Relu } from '../../src-main/engine/nn/activation.js';
import { Sequential } from '../../src-main/engine/nn/container.js';
import { relativeError } from '../helpers/compare.js';

const rng = new Random(11);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** A random [nIn, nOut] matrix keeping positions with probability `density`; row 1 and column 1 stay empty. */
function randomSparse(nIn: number, nOut: number, density: number): Float32Array {
  const dense = new Float32Array(nIn * nOut);
  for (let i = 0; i < nIn; i++) {
    for (let j = 0; j < nOut; j++) if (i !== 1 && j !== 1 && rng.next() < density) dense[i * nOut + j] = rng.normal();
  }
  return dense;
}

function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return relativeError(actual.dataSync(), expected.dataSync());
}

beforeAll(async () => {
  await selectBackend('wasm');
});

/** The positions and values of the non-zero entries of a dense [nIn, nOut] matrix, as a layer would compress them. */
function compressedFrom(dense: Float32Array, shape: [number, number]): CompressedWeights {
  const positions = Uint32Array.from(Array.from(dense).flatMap((v, i) => (v !== 0 ? [i] : [])));
  return CompressedWeights.of(shape, positions, Float32Array.from(positions, (p) => dense[p]!));
}

describe('the compressed fully connected layer kernels on wasm match dense products', () => {
  const ALL = { activeGradient: true, denseGradient: false, biasGradient: true, inputGradient: true, reluInput: false };

  it.each([
    { nIn: 37, nOut: 23, batch: 128, density: 0.1 },
    { nIn: 300, nOut: 100, batch: 128, density: 0.1 },
    // Wide enough for the bias gradient's sum to be split between threads.
    { nIn: 40, nOut: 1100, batch: 128, density: 0.05 },
    { nIn: 784, nOut: 300, batch: 67, density: 0.05 },
    { nIn: 40, nOut: 30, batch: 96, density: 0.3 },
    { nIn: 20, nOut: 9, batch: 7, density: 0.5 },
    { nIn: 5, nOut: 3, batch: 1, density: 1 },
  ])('nIn $nIn, nOut $nOut, batch $batch, density $density', ({ nIn, nOut, batch, density }) => {
    const dense = randomSparse(nIn, nOut, density);
    const packed = compressedFrom(dense, [nIn, nOut]);
    tf.tidy(() => {
      const W = tf.tensor2d(dense, [nIn, nOut]);
      const b = tf.tensor1d(randn(nOut));
      const x = tf.tensor2d(randn(batch * nIn), [batch, nIn]);
      const dy = tf.tensor2d(randn(batch * nOut), [batch, nOut]);

      const forward = compressedDense(x, packed, b, false);
      expect(isInBatchChunks(forward.yT)).toBe(true);
      expect(maxRelativeError(fromBatchChunks(forward.yT), tf.add(tf.matMul(x, W), b))).toBeLessThan(1e-5);
      // xT is x transposed one chunk of 32 examples at a time, each chunk a [nIn, examples] block.
      const chunks = Array.from({ length: Math.ceil(batch / 32) }, (_, c) => tf.transpose(x.slice([32 * c, 0], [Math.min(32, batch - 32 * c), nIn])).flatten());
      expect(Array.from(forward.xT.dataSync())).toEqual(Array.from(tf.concat(chunks).dataSync()));
      expect(maxRelativeError(fromBatchChunks(compressedDense(x, packed, null, false).yT), tf.matMul(x, W))).toBeLessThan(1e-5);

      const dyT = toBatchChunks(dy);
      const { grad, dbias, dx } = compressedDenseGrad(dyT, forward.xT, packed, { ...ALL, inputChunks: false });
      const denseGrad = tf.matMul(tf.transpose(x), dy).dataSync();
      expect(maxRelativeError(grad!, tf.tensor1d(Array.from(packed.positions, (p) => denseGrad[p]!)))).toBeLessThan(1e-5);
      // Summed in batch order, as the batch-major sum is.
      expect(Array.from(dbias!.dataSync())).toEqual(Array.from(sumLeadingAxes(dy).dataSync()));
      expect(maxRelativeError(dbias!, tf.sum(dy, 0))).toBeLessThan(1e-5);
      expect(isInBatchChunks(dx!)).toBe(false);
      expect(maxRelativeError(dx!, tf.matMul(dy, tf.transpose(W)))).toBeLessThan(1e-5);
      // A RigL update's dense gradient, read from the chunks in place, with the other outputs unchanged.
      const withDense = compressedDenseGrad(dyT, forward.xT, packed, { ...ALL, activeGradient: false, denseGradient: true, inputChunks: false });
      expect(withDense.grad!.shape).toEqual([nIn, nOut]);
      expect(maxRelativeError(withDense.grad!, tf.tensor2d(denseGrad, [nIn, nOut]))).toBeLessThan(1e-5);
      expect(Array.from(withDense.dbias!.dataSync())).toEqual(Array.from(dbias!.dataSync()));
      expect(Array.from(withDense.dx!.dataSync())).toEqual(Array.from(dx!.dataSync()));

      // From an input already in batch chunks: the same numbers, and dx in batch chunks.
      const chunked = compressedDense(markBatchChunks(forward.xT.clone()), packed, b, false);
      expect(Array.from(chunked.yT.dataSync())).toEqual(Array.from(forward.yT.dataSync()));
      // With the ReLU in the same pass: the ReLU kernel's output, bit for bit.
      expect(Array.from(compressedDense(x, packed, b, true).yT.dataSync())).toEqual(Array.from(tf.relu(forward.yT).dataSync()));
      const fromChunks = compressedDenseGrad(dyT, chunked.xT, packed, { ...ALL, inputChunks: true });
      expect(isInBatchChunks(fromChunks.dx!)).toBe(true);
      expect(Array.from(fromChunks.dx!.dataSync())).toEqual(Array.from(toBatchChunks(dx!).dataSync()));
      // With x a ReLU's output (zeros, and a NaN, which reluGrad treats as not positive): ReLU's
      // gradient applied in the same pass, bit for bit what reluGrad gives, in both layouts.
      const reluX = tf.relu(tf.tensor2d(randn(batch * nIn).map((v, i) => (i === 1 ? NaN : v)), [batch, nIn]));
      const reluXT = compressedDense(reluX, packed, b, false).xT;
      for (const inputChunks of [false, true]) {
        const plain = compressedDenseGrad(dyT, reluXT, packed, { ...ALL, inputChunks });
        const masked = compressedDenseGrad(dyT, reluXT, packed, { ...ALL, inputChunks, reluInput: true });
        const expected = reluGrad(plain.dx!, inputChunks ? reluXT : reluX);
        expect(Array.from(masked.dx!.dataSync())).toEqual(Array.from(expected.dataSync()));
        expect(Array.from(masked.grad!.dataSync())).toEqual(Array.from(plain.grad!.dataSync()));
      }
    });
    packed.dispose();
  });

  it('sums each output over its inputs in increasing order from +0, then adds the bias, then the ReLU, bit for bit', () => {
    const [nIn, nOut, batch] = [37, 23, 45];
    const dense = randomSparse(nIn, nOut, 0.3);
    const packed = compressedFrom(dense, [nIn, nOut]);
    const x = randn(batch * nIn);
    const bias = randn(nOut);
    const expected = (relu: boolean): number[] =>
      // In batch chunks: output j of example b at chunk ⌊b/32⌋'s block, row j, lane b mod 32.
      Array.from({ length: Math.ceil(batch / 32) }, (_, c) => {
        const lanes = Math.min(32, batch - 32 * c);
        return Array.from({ length: nOut * lanes }, (_, at) => {
          const [j, b] = [Math.floor(at / lanes), 32 * c + (at % lanes)];
          let sum = 0;
          for (let i = 0; i < nIn; i++) if (dense[i * nOut + j] !== 0) sum = Math.fround(sum + Math.fround(dense[i * nOut + j]! * x[b * nIn + i]!));
          const v = Math.fround(sum + bias[j]!);
          return relu && v < 0 ? 0 : v;
        });
      }).flat();
    tf.tidy(() => {
      for (const relu of [false, true]) {
        const { yT } = compressedDense(tf.tensor2d(x, [batch, nIn]), packed, tf.tensor1d(bias), relu);
        expect(Array.from(yT.dataSync())).toEqual(expected(relu));
      }
    });
    packed.dispose();
  });

  it('gives hand-checked numbers, and only the outputs asked for', () => {
    // W = [[2, 0], [0, 3]] keeps (0,0) and (1,1), b = [1, −1]; x = [[1, 4]]: y = [3, 11].
    // dy = [[1, 1]]: dx = [2, 3], dW at the active positions = [1, 4], db = [1, 1].
    const packed = compressedFrom(Float32Array.from([2, 0, 0, 3]), [2, 2]);
    tf.tidy(() => {
      const { yT, xT } = compressedDense(tf.tensor2d([1, 4], [1, 2]), packed, tf.tensor1d([1, -1]), false);
      expect(Array.from(yT.dataSync())).toEqual([3, 11]);
      const dyT = toBatchChunks(tf.tensor2d([1, 1], [1, 2]));
      const all = compressedDenseGrad(dyT, xT, packed, { ...ALL, inputChunks: false });
      expect(Array.from(all.grad!.dataSync())).toEqual([1, 4]);
      expect(Array.from(all.dbias!.dataSync())).toEqual([1, 1]);
      expect(Array.from(all.dx!.dataSync())).toEqual([2, 3]);
      const some = compressedDenseGrad(dyT, xT, packed, { ...ALL, activeGradient: false, biasGradient: false, inputChunks: false });
      expect(some.grad).toBeNull();
      expect(some.dbias).toBeNull();
      expect(Array.from(some.dx!.dataSync())).toEqual([2, 3]);
      // xᵀ·dy at every position: [[1·1, 1·1], [4·1, 4·1]].
      const dense = compressedDenseGrad(dyT, xT, packed, { ...ALL, activeGradient: false, denseGradient: true, biasGradient: false, inputGradient: false, inputChunks: false });
      expect(Array.from(dense.grad!.dataSync())).toEqual([1, 1, 4, 4]);
      expect(() => compressedDenseGrad(dyT, xT, packed, { ...ALL, denseGradient: true, inputChunks: false })).toThrow(/exclude each other/);
      // An empty batch sums nothing: zeros, whatever the heap held there before.
      const stale = tf.fill([2, 2], 5);
      stale.dispose();
      const empty = compressedDenseGrad(tf.zeros([2, 0]) as tf.Tensor2D, tf.zeros([2, 0]) as tf.Tensor2D, packed, { ...ALL, activeGradient: false, denseGradient: true, biasGradient: false, inputGradient: false, inputChunks: false });
      expect(Array.from(empty.grad!.dataSync())).toEqual([0, 0, 0, 0]);
    });
    packed.dispose();
  });

  it.each([
    { nIn: 100, nOut: 10, batch: 128 },
    { nIn: 37, nOut: 3, batch: 45 },
  ])('take a dense W [$nIn, $nOut] as every position: the same numbers as its compressed form with every position active', ({ nIn, nOut, batch }) => {
    const dense = randn(nIn * nOut);
    const packed = CompressedWeights.of([nIn, nOut], Uint32Array.from({ length: nIn * nOut }, (_, p) => p), dense);
    tf.tidy(() => {
      const W = tf.tensor2d(dense, [nIn, nOut]);
      const b = tf.tensor1d(randn(nOut));
      const x = toBatchChunks(tf.tensor2d(randn(batch * nIn), [batch, nIn]));
      const dyT = toBatchChunks(tf.tensor2d(randn(batch * nOut), [batch, nOut]));
      const [ours, reference] = [compressedDense(x, W, b, true), compressedDense(x, packed, b, true)];
      expect(Array.from(ours.yT.dataSync())).toEqual(Array.from(reference.yT.dataSync()));
      expect(maxRelativeError(fromBatchChunks(ours.yT), tf.relu(tf.add(tf.matMul(fromBatchChunks(x), W), b)))).toBeLessThan(1e-5);
      const wanted = { ...ALL, inputChunks: true };
      const [grads, referenceGrads] = [compressedDenseGrad(dyT, x, W, wanted), compressedDenseGrad(dyT, x, packed, wanted)];
      expect(grads.grad!.shape).toEqual([nIn, nOut]);
      expect(maxRelativeError(grads.grad!, tf.matMul(fromBatchChunks(x), fromBatchChunks(dyT), true, false))).toBeLessThan(1e-5);
      expect(Array.from(grads.grad!.dataSync())).toEqual(Array.from(referenceGrads.grad!.dataSync()));
      expect(Array.from(grads.dbias!.dataSync())).toEqual(Array.from(referenceGrads.dbias!.dataSync()));
      expect(Array.from(grads.dx!.dataSync())).toEqual(Array.from(referenceGrads.dx!.dataSync()));
      expect(maxRelativeError(fromBatchChunks(grads.dx!), tf.matMul(fromBatchChunks(dyT), W, false, true))).toBeLessThan(1e-5);
      const wrong = tf.zeros([nIn + 1, nOut]) as tf.Tensor2D;
      const before = tf.backend().numDataIds();
      expect(() => compressedDense(x, wrong, null, false)).toThrow(/vals has shape/);
      // Refused before any output was made.
      expect(tf.backend().numDataIds()).toBe(before);
    });
    packed.dispose();
  });

  it('indexes the active positions by row', () => {
    // W [2, 3] with active positions 1, 2, 3: (0,1), (0,2), (1,0).
    const packed = CompressedWeights.of([2, 3], Uint32Array.from([1, 2, 3]), Float32Array.from([10, 20, 30]));
    expect(Array.from(packed.byRow().rowPtr.dataSync())).toEqual([0, 2, 3]);
    expect(Array.from(packed.byRow().cols.dataSync())).toEqual([1, 2, 0]);
    packed.dispose();
  });

  it('indexes a layer with empty rows as a plain host count does', () => {
    const [nIn, nOut] = [37, 23];
    // Rows 0, 5 and 36 and column 22 empty; the first and last positions of row 1 active.
    const positions = Uint32Array.from(
      Array.from({ length: nIn * nOut }, (_, p) => p).filter((p) => {
        const [i, j] = [Math.floor(p / nOut), p % nOut];
        if (i === 0 || i === 5 || i === 36 || j === 22) return false;
        return p === nOut || p === 2 * nOut - 2 || rng.next() < 0.2;
      }),
    );
    const packed = CompressedWeights.of([nIn, nOut], positions, new Float32Array(positions.length));
    const rowPtr = [0];
    const cols: number[] = [];
    for (let i = 0; i < nIn; i++) {
      const row = Array.from(positions).filter((p) => Math.floor(p / nOut) === i);
      cols.push(...row.map((p) => p % nOut));
      rowPtr.push(rowPtr[i]! + row.length);
    }
    expect(Array.from(packed.byRow().rowPtr.dataSync())).toEqual(rowPtr);
    expect(Array.from(packed.byRow().cols.dataSync())).toEqual(cols);
    packed.dispose();
  });

  it('moves to new positions keeping the values of kept ones, and carries momentum the same way', () => {
    // Positions 1, 2, 3 → 0, 2, 3, 5: 2 and 3 kept (old indices 1 and 2), 1 dropped, 0 and 5 grown.
    const packed = CompressedWeights.of([2, 3], Uint32Array.from([1, 2, 3]), Float32Array.from([10, 20, 30]));
    const moved = packed.movedTo(Uint32Array.from([0, 2, 3, 5]), Int32Array.from([-1, 1, 2, -1]));
    expect(Array.from(moved.values.dataSync())).toEqual([0, 20, 30, 0]);
    expect(Array.from(moved.byRow().rowPtr.dataSync())).toEqual([0, 2, 4]);
    const momentum = tf.tensor1d([-1, -2, -3]);
    const carried = moved.carried(momentum);
    expect(Array.from(carried.dataSync())).toEqual([0, -2, -3, 0]);
    expect(() => packed.carried(momentum)).toThrow(/not moved/);
    const emptied = moved.movedTo(new Uint32Array(0), new Int32Array(0));
    expect(emptied.values.size).toBe(0);
    expect(Array.from(emptied.byRow().rowPtr.dataSync())).toEqual([0, 0, 0]);
    tf.dispose([momentum, carried]);
    for (const w of [packed, moved, emptied]) w.dispose();
  });
});

describe('sum over leading axes on wasm', () => {
  it.each([[[64, 8, 8, 32]], [[5, 3, 7]], [[128, 300]], [[4, 1]], [[40, 28, 28, 6]], [[9, 18]], [[3, 5, 20]]])('shape %j matches tf.sum on the cpu backend', async (shape) => {
    const values = randn(shape.reduce((a, b) => a * b, 1));
    const ours = tf.tidy(() => Array.from((tf.engine().runKernel(KERNEL_NAMES.sumLeadingAxes, { x: tf.tensor(values, shape) }, {}) as tf.Tensor).dataSync()));
    await selectBackend('cpu');
    const reference = tf.tidy(() => tf.sum(tf.tensor(values, shape), shape.slice(0, -1).map((_, i) => i)));
    const error = maxRelativeError(tf.tensor1d(ours), reference);
    tf.dispose(reference);
    await selectBackend('wasm');
    expect(error).toBeLessThan(1e-5);
  });

  // Widths whose last vector overlaps the one before it (6, 7, 13), a block of two after 16 (18),
  // one column, and 300 columns over enough rows to be split between the threads.
  it.each([
    [6, 257],
    [7, 257],
    [13, 257],
    [18, 257],
    [1, 257],
    [300, 2000],
  ])('sums each of %i columns over %i rows in order, as float32 adds from 0', (cols, rows) => {
    const values = randn(rows * cols).map((v, i) => v * (1 + (i % 5) * 1000));
    const ours = tf.tidy(() => Array.from((tf.engine().runKernel(KERNEL_NAMES.sumLeadingAxes, { x: tf.tensor(values, [rows, cols]) }, {}) as tf.Tensor).dataSync()));
    const sequential = Array.from({ length: cols }, (_, c) => {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum = Math.fround(sum + values[r * cols + c]!);
      return sum;
    });
    expect(ours).toEqual(sequential);
  });
});

describe('the shipped wasm binary', () => {
  it('is what the AssemblyScript sources compile to', () => {
    const script = fileURLToPath(new URL('../../src-main/engine/kernels/build-kernels.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('a fully connected layer on compressed weights', () => {
  it('gives the gradients autodiff gives for the masked dense layer (wasm)', () => {
    const [batch, nIn, nOut] = [6, 10, 7];
    const w = { dense: randomSparse(nIn, nOut, 0.3) };
    const mask = w.dense.map((v) => (v !== 0 ? 1 : 0));
    const active = Uint32Array.from(Array.from(mask).flatMap((m, i) => (m ? [i] : [])));
    tf.tidy(() => {
      const layer = new Dense('fc', tf.tensor2d(w.dense, [nIn, nOut]), tf.tensor1d(randn(nOut)));
      layer.kernel.compress(active);
      const x = tf.tensor2d(randn(batch * nIn), [batch, nIn]);
      const r = tf.tensor2d(randn(batch * nOut), [batch, nOut]);
      const ctx = { training: true, nextSeed: () => 0, denseGradients: false };
      const y = fromBatchChunks(layer.forward(x, ctx));
      const dx = layer.backward(toBatchChunks(r))!;
      const activeGrad = layer.kernel.grad!;
      const maskTensor = tf.tensor2d(Float32Array.from(mask), [nIn, nOut]);
      const bias = layer.bias!.value;
      const f = (input: tf.Tensor, kernel: tf.Tensor) => tf.add(tf.matMul(input as tf.Tensor2D, tf.mul(kernel, maskTensor) as tf.Tensor2D), bias);
      const [dxRef, dwRef] = tf.grads((input: tf.Tensor, kernel: tf.Tensor) => tf.sum(tf.mul(f(input, kernel), r)))([x, tf.tensor2d(w.dense, [nIn, nOut])]);
      expect(maxRelativeError(y, f(x, tf.tensor2d(w.dense, [nIn, nOut])))).toBeLessThan(1e-5);
      expect(maxRelativeError(dx, dxRef!)).toBeLessThan(1e-5);
      const dwDense = dwRef!.dataSync();
      expect(maxRelativeError(activeGrad, tf.tensor1d(Array.from(active, (p) => dwDense[p]!)))).toBeLessThan(1e-5);

      layer.forward(x, { ...ctx, denseGradients: true });
      layer.backward(toBatchChunks(r));
      expect(maxRelativeError(layer.kernel.grad!, tf.matMul(tf.transpose(x), r))).toBeLessThan(1e-5);
    });
  });

  it.each([
    { last: 'compressed', nOut: 5 },
    // Narrow: on the compressed kernels over every position, its input kept in batch chunks.
    { last: 'narrow dense', nOut: 5 },
    // Wide: the dense product, its input turned batch-major.
    { last: 'wide dense', nOut: 17 },
  ])('hands its output in batch chunks, through its ReLU, to the next compressed layer, and batch-major out of the network; last layer $last (wasm)', ({ last, nOut: outputs }) => {
    const batch = 40;
    const shapes: Array<[number, number]> = [[12, 20], [20, 8], [8, outputs]];
    const compressedLayers = last === 'compressed' ? [0, 1, 2] : [0, 1];
    const kernels = shapes.map(([nIn, nOut], i) => randomSparse(nIn, nOut, compressedLayers.includes(i) ? 0.4 : 1));
    const biases = shapes.map(([, nOut]) => randn(nOut));
    // The compressed network takes its ReLUs into the layers; the reference has them apart.
    const network = (fused: boolean): Sequential =>
      new Sequential(
        shapes.flatMap(([nIn, nOut], i) => {
          const layer = new Dense(`fc${i}`, tf.keep(tf.tensor2d(kernels[i]!, [nIn, nOut])), tf.keep(tf.tensor1d(biases[i]!)), { relu: fused && i < 2 });
          return i < 2 && !fused ? [layer, new Relu()] : [layer];
        }),
      );
    const [compressed, masked] = [network(true), network(false)];
    const layers = (n: Sequential): Dense[] => n.modules.filter((m): m is Dense => m instanceof Dense);
    const active = kernels.map((k) => Uint32Array.from(Array.from(k).flatMap((v, p) => (v !== 0 ? [p] : []))));
    for (const i of compressedLayers) layers(compressed)[i]!.kernel.compress(active[i]!);
    // A compressed first layer takes the batch in chunks (the trainer then assembles it so).
    expect([compressed.takesBatchChunksFirst(), masked.takesBatchChunksFirst()]).toEqual([true, false]);
    const ctx = { training: true, nextSeed: () => 0, denseGradients: false };
    const calls = vi.spyOn(tf.engine(), 'runKernel');
    tf.tidy(() => {
      const x = tf.tensor2d(randn(batch * 12), [batch, 12]);
      const r = tf.tensor2d(randn(batch * outputs), [batch, outputs]);
      const y = compressed.forward(x, ctx);
      const dx = compressed.backward(r)!;
      const called = (name: string): number => calls.mock.calls.filter(([kernel]) => kernel === name).length;
      // The output turned batch-major for the loss and its gradient back into chunks; for a wide
      // dense fc3, fc2's output and fc3's input gradient instead.
      expect(called(KERNEL_NAMES.batchChunks)).toBe(2);
      expect(called(KERNEL_NAMES.compressedDense)).toBe(last === 'wide dense' ? 2 : 3);
      // Each ReLU's gradient is applied by the compressed layer after it, as it makes dx: only a
      // wide dense fc3 (the dense product) leaves fc2's to reluGrad.
      expect(called(KERNEL_NAMES.reluGrad)).toBe(last === 'wide dense' ? 1 : 0);
      expect(isInBatchChunks(y) || isInBatchChunks(dx)).toBe(false);
      calls.mockRestore();
      expect(maxRelativeError(y, masked.forward(x, ctx))).toBeLessThan(1e-5);
      expect(maxRelativeError(dx, masked.backward(r)!)).toBeLessThan(1e-5);
      layers(compressed).forEach((layer, i) => {
        const reference = layers(masked)[i]!;
        const denseGrad = reference.kernel.grad!.dataSync();
        const expected = compressedLayers.includes(i) ? tf.tensor1d(Array.from(active[i]!, (p) => denseGrad[p]!)) : reference.kernel.grad!;
        expect(layer.kernel.grad!.shape).toEqual(expected.shape);
        expect(maxRelativeError(layer.kernel.grad!, expected)).toBeLessThan(1e-5);
        expect(maxRelativeError(layer.bias!.grad!, reference.bias!.grad!)).toBeLessThan(1e-5);
      });
    });
    for (const n of [compressed, masked]) tf.dispose(n.params().map((p) => p.value));
  });
});
