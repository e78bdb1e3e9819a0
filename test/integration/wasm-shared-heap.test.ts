import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { kernelRuntime, TRANSPOSE_MODE } from '../../src-main/engine/kernels/kernel-runtime.js';
import { sharedHeapLimits } from '../../src-main/engine/kernels/shared-heap.js';
import { isWasmMemory, type WasmMemory } from '../../src-main/engine/kernels/webassembly-api.js';
import { relativeError } from '../helpers/compare.js';

/*
 * tfjs-wasm's heap made shared (kernels/shared-heap.ts), with two kernel threads whatever the
 * machine, and what happens when it grows after the threads started.
 */

const MB = 1024 * 1024;
const saved = process.env['RIGL_LAB_THREADS'];

function heap(): WasmMemory {
  const memory = ((tf.backend() as BackendWasm).wasm as { asm?: { memory?: unknown } }).asm?.memory;
  if (!isWasmMemory(memory)) throw new Error('tfjs-wasm exports no memory');
  return memory;
}

const rng = new Random(404);
const normal = (size: number) => Float32Array.from({ length: size }, () => rng.normal());

beforeAll(() => {
  // Two threads even on a one-core machine: the point is a second thread on the grown heap.
  process.env['RIGL_LAB_THREADS'] = '2';
});

afterAll(() => {
  if (saved === undefined) delete process.env['RIGL_LAB_THREADS'];
  else process.env['RIGL_LAB_THREADS'] = saved;
});

describe('the shared wasm heap', () => {
  it('a bad RIGL_LAB_THREADS makes selecting wasm fail with a message naming it; a good one then works', async () => {
    process.env['RIGL_LAB_THREADS'] = '1.5';
    await expect(selectBackend('wasm')).rejects.toThrow('RIGL_LAB_THREADS must be a whole number from 1 to 64');
    process.env['RIGL_LAB_THREADS'] = '2';
    const selection = await selectBackend('wasm');
    expect(selection.threads).toBe(2);
    const product = tf.matMul(tf.ones([4, 4]), tf.ones([4, 4]));
    expect(Array.from(product.dataSync())).toEqual(new Array<number>(16).fill(4));
  });

  it('is the memory of the active wasm backend, shared, with the limits of tfjs-wasm’s own', async () => {
    await selectBackend('wasm');
    const memory = heap();
    const limits = sharedHeapLimits(memory);
    expect(limits).not.toBeNull();
    expect(limits!.shared).toBe(true);
    expect(limits!.maximum).not.toBeNull();
    expect(limits!.maximum!).toBeGreaterThanOrEqual(32768); // at least 2 GiB
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(limits!.initial * 65536);
    expect(kernelRuntime(tf.backend() as BackendWasm).threadCount).toBe(2);
  });

  it('other memories are not shared heaps', () => {
    const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => WasmMemory } }).WebAssembly;
    expect(sharedHeapLimits(new api.Memory({ initial: 1 }))).toBeNull();
  });

  it('after growing by ~200 MB, a threaded product on tensors placed past the old end still matches cpu', async () => {
    const [m, k, n] = [384, 512, 320];
    const aValues = normal(m * k);
    const bValues = normal(k * n);
    const early = normal(n * 7);

    await selectBackend('cpu');
    const expected = tf.tidy(() => {
      const c = tf.matMul(tf.tensor2d(aValues, [m, k]), tf.tensor2d(bValues, [k, n]));
      return { c: Float32Array.from(c.dataSync()), d: Float32Array.from(tf.matMul(c, tf.tensor2d(early, [n, 7])).dataSync()) };
    });

    await selectBackend('wasm');
    const memory = heap();
    const runtime = kernelRuntime(tf.backend() as BackendWasm);
    // Made before the heap grows, used after.
    const earlyTensor = tf.tensor2d(early, [n, 7]);
    const before = memory.buffer.byteLength;
    const ballast = Array.from({ length: 5 }, (_, i) => tf.fill([10 * MB], i + 1));
    const after = memory.buffer.byteLength;
    expect(after - before).toBeGreaterThanOrEqual(150 * MB);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);

    const a = tf.tensor2d(aValues, [m, k]);
    const b = tf.tensor2d(bValues, [k, n]);
    const top = Math.max(...[a, b].map((t) => runtime.offset(t.dataId)));
    expect(top).toBeGreaterThan(before);

    const run = vi.spyOn(runtime, 'run');
    const c = tf.matMul(a, b);
    const d = tf.matMul(c, earlyTensor);
    // The first product was split into parts for both threads.
    expect(run.mock.calls.filter(([kernel, , parts]) => kernel === 'matMul' && parts >= 2).length).toBeGreaterThanOrEqual(1);
    run.mockRestore();
    expect(runtime.offset(c.dataId) + m * n * 4).toBeGreaterThan(before);

    expect(relativeError(Float32Array.from(c.dataSync()), expected.c)).toBeLessThan(1e-5);
    expect(relativeError(Float32Array.from(d.dataSync()), expected.d)).toBeLessThan(1e-5);
    // The ballast is intact (nothing wrote past a tensor's end).
    for (const [i, t] of ballast.entries()) {
      const values = t.dataSync();
      expect(values[0]).toBe(i + 1);
      expect(values[values.length - 1]).toBe(i + 1);
    }
    tf.dispose([earlyTensor, ...ballast, a, b, c, d]);
  });

  it('after the growth, convolutions and their gradients on the worker thread still match cpu', async () => {
    const x = normal(4 * 16 * 16 * 32);
    const w = normal(3 * 3 * 32 * 32);
    const dy = normal(4 * 16 * 16 * 32);
    const compute = () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, [4, 16, 16, 32]);
        const wt = tf.tensor4d(w, [3, 3, 32, 32]);
        const dyt = tf.tensor4d(dy, [4, 16, 16, 32]);
        const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC' };
        return [
          tf.conv2d(xt, wt, 1, 'same'),
          tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: wt }, { ...attrs, inputShape: [4, 16, 16, 32] }) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: [3, 3, 32, 32] }) as tf.Tensor,
        ].map((t) => Float32Array.from(t.dataSync()));
      });
    await selectBackend('cpu');
    const expected = compute();
    await selectBackend('wasm');
    // Still the grown heap of the test before (the ballast was freed, not returned).
    expect(heap().buffer.byteLength).toBeGreaterThan(200 * MB);
    const actual = compute();
    actual.forEach((values, i) => expect(relativeError(values, expected[i]!), ['conv2d', 'input gradient', 'filter gradient'][i]).toBeLessThan(1e-4));
  });
  it('a kernel part that traps, pinned or not, throws on the caller, and the threads go on working', async () => {
    await selectBackend('wasm');
    const runtime = kernelRuntime(tf.backend() as BackendWasm);
    const [batch, n] = [64, 8];
    const out = tf.zeros([batch * n]);
    const at = runtime.offset(out.dataId);
    // x [64, 8] placed so that its first chunk of 32 rows ends at the heap's end: the part of
    // the second chunk (a worker's, pinned) reads past it and traps.
    const x = heap().buffer.byteLength - 32 * n * 4;
    for (let i = 0; i < 3; i++) {
      expect(() => runtime.runPinned('transpose2d', [x, batch, n, at, TRANSPOSE_MODE.toChunks], 2)).toThrow();
      expect(() => runtime.run('transpose2d', [x, batch, n, at, TRANSPOSE_MODE.plain], 2)).toThrow();
    }
    const a = tf.ones([96, 96]);
    const product = tf.matMul(a, a);
    expect(Array.from(product.dataSync())).toEqual(new Array<number>(96 * 96).fill(96));
    const xs = tf.tensor2d(normal(batch * n), [batch, n]);
    const chunked = tf.zeros([batch * n]);
    runtime.runPinned('transpose2d', [runtime.offset(xs.dataId), batch, n, runtime.offset(chunked.dataId), TRANSPOSE_MODE.toChunks], 2);
    const rows = xs.arraySync();
    const expected = [0, 1].flatMap((c) => Array.from({ length: n }, (_, j) => rows.slice(32 * c, 32 * c + 32).map((row) => row[j]!)).flat());
    expect(Array.from(chunked.dataSync())).toEqual(expected.map((v) => Math.fround(v)));
    tf.dispose([out, a, product, xs, chunked]);
  });
});
