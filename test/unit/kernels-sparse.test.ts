import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs'; // registers tfjs's autodiff gradients: the reference for the compressed layer's backward pass
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { KERNEL_NAMES } from '../../src-main/engine/kernels/names.js';
import { CompressedWeights } from '../../src-main/engine/nn/compressed-weights.js';
import { compressedDense, compressedDenseGrad } from '../../src-main/engine/nn/kernels.js';
import { Dense } from '../../src-main/engine/nn/dense.js';
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
  const ALL = { activeGradient: true, biasGradient: true, inputGradient: true };

  it.each([
    { nIn: 37, nOut: 23, batch: 128, density: 0.1 },
    { nIn: 300, nOut: 100, batch: 128, density: 0.1 },
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

      const forward = compressedDense(x, packed, b);
      expect(maxRelativeError(forward.y, tf.add(tf.matMul(x, W), b))).toBeLessThan(1e-5);
      // xT is x transposed one chunk of 32 examples at a time, each chunk a [nIn, examples] block.
      const chunks = Array.from({ length: Math.ceil(batch / 32) }, (_, c) => tf.transpose(x.slice([32 * c, 0], [Math.min(32, batch - 32 * c), nIn])).flatten());
      expect(Array.from(forward.xT.dataSync())).toEqual(Array.from(tf.concat(chunks).dataSync()));
      expect(maxRelativeError(compressedDense(x, packed, null).y, tf.matMul(x, W))).toBeLessThan(1e-5);

      const { grad, dbias, dx } = compressedDenseGrad(dy, forward.xT, packed, ALL);
      const denseGrad = tf.matMul(tf.transpose(x), dy).dataSync();
      expect(maxRelativeError(grad!, tf.tensor1d(Array.from(packed.positions, (p) => denseGrad[p]!)))).toBeLessThan(1e-5);
      expect(maxRelativeError(dbias!, tf.sum(dy, 0))).toBeLessThan(1e-5);
      expect(maxRelativeError(dx!, tf.matMul(dy, tf.transpose(W)))).toBeLessThan(1e-5);
    });
    packed.dispose();
  });

  it('gives hand-checked numbers, and only the outputs asked for', () => {
    // W = [[2, 0], [0, 3]] keeps (0,0) and (1,1), b = [1, −1]; x = [[1, 4]]: y = [3, 11].
    // dy = [[1, 1]]: dx = [2, 3], dW at the active positions = [1, 4], db = [1, 1].
    const packed = compressedFrom(Float32Array.from([2, 0, 0, 3]), [2, 2]);
    tf.tidy(() => {
      const { y, xT } = compressedDense(tf.tensor2d([1, 4], [1, 2]), packed, tf.tensor1d([1, -1]));
      expect(Array.from(y.dataSync())).toEqual([3, 11]);
      const dy = tf.tensor2d([1, 1], [1, 2]);
      const all = compressedDenseGrad(dy, xT, packed, ALL);
      expect(Array.from(all.grad!.dataSync())).toEqual([1, 4]);
      expect(Array.from(all.dbias!.dataSync())).toEqual([1, 1]);
      expect(Array.from(all.dx!.dataSync())).toEqual([2, 3]);
      const some = compressedDenseGrad(dy, xT, packed, { activeGradient: false, biasGradient: false, inputGradient: true });
      expect(some.grad).toBeNull();
      expect(some.dbias).toBeNull();
      expect(Array.from(some.dx!.dataSync())).toEqual([2, 3]);
    });
    packed.dispose();
  });

  it('indexes the active positions by row and by column', () => {
    // W [2, 3] with active positions 1, 2, 3: (0,1), (0,2), (1,0).
    const packed = CompressedWeights.of([2, 3], Uint32Array.from([1, 2, 3]), Float32Array.from([10, 20, 30]));
    expect(Array.from(packed.rowPtr.dataSync())).toEqual([0, 2, 3]);
    expect(Array.from(packed.cols.dataSync())).toEqual([1, 2, 0]);
    expect(Array.from(packed.colPtr.dataSync())).toEqual([0, 1, 2, 3]);
    expect(Array.from(packed.colRows.dataSync())).toEqual([1, 0, 0]);
    expect(Array.from(packed.colOrder.dataSync())).toEqual([2, 0, 1]);
    packed.dispose();
  });

  it('indexes a layer with empty rows and columns as a plain host count does', () => {
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
    const byColumn = Array.from(positions, (p, k) => ({ row: Math.floor(p / nOut), col: p % nOut, k })).sort((a, b) => a.col - b.col || a.row - b.row);
    const colPtr = Array.from({ length: nOut + 1 }, (_, j) => byColumn.filter((e) => e.col < j).length);
    expect(Array.from(packed.rowPtr.dataSync())).toEqual(rowPtr);
    expect(Array.from(packed.cols.dataSync())).toEqual(cols);
    expect(Array.from(packed.colPtr.dataSync())).toEqual(colPtr);
    expect(Array.from(packed.colRows.dataSync())).toEqual(byColumn.map((e) => e.row));
    expect(Array.from(packed.colOrder.dataSync())).toEqual(byColumn.map((e) => e.k));
    packed.dispose();
  });

  it('moves to new positions keeping the values of kept ones, and carries momentum the same way', () => {
    // Positions 1, 2, 3 → 0, 2, 3, 5: 2 and 3 kept (old indices 1 and 2), 1 dropped, 0 and 5 grown.
    const packed = CompressedWeights.of([2, 3], Uint32Array.from([1, 2, 3]), Float32Array.from([10, 20, 30]));
    const moved = packed.movedTo(Uint32Array.from([0, 2, 3, 5]), Int32Array.from([-1, 1, 2, -1]));
    expect(Array.from(moved.values.dataSync())).toEqual([0, 20, 30, 0]);
    expect(Array.from(moved.rowPtr.dataSync())).toEqual([0, 2, 4]);
    const momentum = tf.tensor1d([-1, -2, -3]);
    const carried = moved.carried(momentum);
    expect(Array.from(carried.dataSync())).toEqual([0, -2, -3, 0]);
    expect(() => packed.carried(momentum)).toThrow(/not moved/);
    const emptied = moved.movedTo(new Uint32Array(0), new Int32Array(0));
    expect(emptied.values.size).toBe(0);
    expect(Array.from(emptied.colPtr.dataSync())).toEqual([0, 0, 0, 0]);
    tf.dispose([momentum, carried]);
    for (const w of [packed, moved, emptied]) w.dispose();
  });
});

describe('sum over leading axes on wasm', () => {
  it.each([[[64, 8, 8, 32]], [[5, 3, 7]], [[128, 300]], [[4, 1]]])('shape %j matches tf.sum on the cpu backend', async (shape) => {
    const values = randn(shape.reduce((a, b) => a * b, 1));
    const ours = tf.tidy(() => Array.from((tf.engine().runKernel(KERNEL_NAMES.sumLeadingAxes, { x: tf.tensor(values, shape) }, {}) as tf.Tensor).dataSync()));
    await selectBackend('cpu');
    const reference = tf.tidy(() => tf.sum(tf.tensor(values, shape), shape.slice(0, -1).map((_, i) => i)));
    const error = maxRelativeError(tf.tensor1d(ours), reference);
    tf.dispose(reference);
    await selectBackend('wasm');
    expect(error).toBeLessThan(1e-5);
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
      const y = layer.forward(x, ctx);
      const dx = layer.backward(r)!;
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
      layer.backward(r);
      expect(maxRelativeError(layer.kernel.grad!, tf.matMul(tf.transpose(x), r))).toBeLessThan(1e-5);
    });
  });
});
