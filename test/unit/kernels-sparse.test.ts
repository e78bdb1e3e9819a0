import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs'; // registers tfjs's autodiff gradients: the reference for the compressed layer's backward pass
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { KERNEL_NAMES } from '../../src-main/engine/kernels/names.js';
import { Dense } from '../../src-main/engine/nn/dense.js';

const rng = new Random(11);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** CSR rows of a random [nIn, nOut] matrix keeping positions with probability `density` (row 1 always empty). */
function randomCsr(nIn: number, nOut: number, density: number) {
  const dense = new Float32Array(nIn * nOut);
  const rowPtr = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < nIn; i++) {
    for (let j = 0; j < nOut; j++) {
      if (i !== 1 && rng.next() < density) {
        const w = rng.normal();
        dense[i * nOut + j] = w;
        cols.push(j);
        vals.push(w);
      }
    }
    rowPtr.push(cols.length);
  }
  return { dense, rowPtr: Int32Array.from(rowPtr), cols: Int32Array.from(cols), vals: Float32Array.from(vals) };
}

function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync();
  const e = expected.dataSync();
  expect(a.length).toBe(e.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < e.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - e[i]!));
    scale = Math.max(scale, Math.abs(e[i]!));
  }
  return diff / scale;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('compressed (CSR) fully connected kernels on wasm match dense products', () => {
  it.each([
    { nIn: 37, nOut: 23, batch: 128, density: 0.1 },
    { nIn: 20, nOut: 9, batch: 7, density: 0.5 },
    { nIn: 5, nOut: 3, batch: 1, density: 1 },
  ])('nIn $nIn, nOut $nOut, batch $batch, density $density', ({ nIn, nOut, batch, density }) => {
    const w = randomCsr(nIn, nOut, density);
    tf.tidy(() => {
      const W = tf.tensor2d(w.dense, [nIn, nOut]);
      const csr = { rowPtr: tf.tensor1d(w.rowPtr, 'int32'), cols: tf.tensor1d(w.cols, 'int32'), vals: tf.tensor1d(w.vals) };
      const x = tf.tensor2d(randn(batch * nIn), [batch, nIn]);
      const dy = tf.tensor2d(randn(batch * nOut), [batch, nOut]);
      const xT = tf.transpose(x);
      const dyT = tf.transpose(dy);

      const yT = tf.engine().runKernel(KERNEL_NAMES.csrMatMul, { xT, ...csr }, { nOut }) as tf.Tensor;
      expect(maxRelativeError(yT, tf.transpose(tf.matMul(x, W)))).toBeLessThan(1e-5);

      const dxT = tf.engine().runKernel(KERNEL_NAMES.csrMatMulTransposed, { dyT, ...csr }, {}) as tf.Tensor;
      expect(maxRelativeError(dxT, tf.transpose(tf.matMul(dy, tf.transpose(W))))).toBeLessThan(1e-5);

      const grad = tf.engine().runKernel(KERNEL_NAMES.csrSampledGrad, { xT, dyT, rowPtr: csr.rowPtr, cols: csr.cols }, {}) as tf.Tensor;
      const denseGrad = tf.matMul(tf.transpose(x), dy).dataSync();
      const positions = [];
      for (let i = 0; i < nIn; i++) for (let k = w.rowPtr[i]!; k < w.rowPtr[i + 1]!; k++) positions.push(i * nOut + w.cols[k]!);
      expect(maxRelativeError(grad, tf.tensor1d(positions.map((p) => denseGrad[p]!)))).toBeLessThan(1e-5);
    });
  });

  it('gives hand-checked numbers', () => {
    // W = [[2, 0], [0, 3]] keeps (0,0) and (1,1); x = [[1, 4]]: y = [2, 12]; dy = [[1, 1]]: dx = [2, 3], dW at active = [1, 4].
    tf.tidy(() => {
      const csr = { rowPtr: tf.tensor1d([0, 1, 2], 'int32'), cols: tf.tensor1d([0, 1], 'int32'), vals: tf.tensor1d([2, 3]) };
      const xT = tf.tensor2d([1, 4], [2, 1]);
      const dyT = tf.tensor2d([1, 1], [2, 1]);
      expect(Array.from((tf.engine().runKernel(KERNEL_NAMES.csrMatMul, { xT, ...csr }, { nOut: 2 }) as tf.Tensor).dataSync())).toEqual([2, 12]);
      expect(Array.from((tf.engine().runKernel(KERNEL_NAMES.csrMatMulTransposed, { dyT, ...csr }, {}) as tf.Tensor).dataSync())).toEqual([2, 3]);
      const grad = tf.engine().runKernel(KERNEL_NAMES.csrSampledGrad, { xT, dyT, rowPtr: csr.rowPtr, cols: csr.cols }, {}) as tf.Tensor;
      expect(Array.from(grad.dataSync())).toEqual([1, 4]);
    });
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
    const w = randomCsr(nIn, nOut, 0.3);
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
