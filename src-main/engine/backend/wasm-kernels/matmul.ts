import * as tf from '@tensorflow/tfjs-core';
import type { _FusedMatMulAttrs, KernelFunc } from '@tensorflow/tfjs-core';
import { PACKING_PARTS_PER_THREAD, type KernelRuntime } from '../../kernels/kernel-runtime.js';
import { wasmKernel } from './wasm-kernel.js';

/** Index of the scratch field of MatMulArgs in matmul.as (scratchPerPart follows). */
const SCRATCH_FIELD = 11;

/** One product C [m, n] = A·B on matmul.as (heap addresses in bytes, strides in elements). */
interface MatMulOperands {
  m: number;
  n: number;
  k: number;
  a: number;
  aRowStride: number;
  aColStride: number;
  b: number;
  bRowStride: number;
  bColStride: number;
  c: number;
  /** The bias over C's columns, or 0. */
  bias: number;
}

/** Runs one product on every thread, split by whole tiles. */
function runMatMul(runtime: KernelRuntime, p: MatMulOperands, kChunks: boolean): void {
  const parts = runtime.partsFor(2 * p.m * p.n * p.k, PACKING_PARTS_PER_THREAD);
  runtime.writeArgs([p.m, p.n, p.k, p.a, p.aRowStride, p.aColStride, p.b, p.bRowStride, p.bColStride, p.c, p.bias, 0, 0, kChunks ? 1 : 0]);
  const scratch = runtime.scratch(runtime.scratchBytes('matMulScratchBytes'), parts);
  runtime.setArg(SCRATCH_FIELD, scratch.base);
  runtime.setArg(SCRATCH_FIELD + 1, scratch.perPart);
  runtime.run('matMul', [runtime.argsAt], parts);
}

/**
 * dW = xᵀ·dy [nIn, nOut] from xT [nIn, batch] and dyT [nOut, batch], both in batch chunks (as a
 * compressed layer keeps them), read in place: no transposes.
 */
export function denseGradientFromChunks(runtime: KernelRuntime, xT: number, dyT: number, nIn: number, nOut: number, batch: number, out: number): void {
  runMatMul(runtime, { m: nIn, n: nOut, k: batch, a: xT, aRowStride: 0, aColStride: 0, b: dyT, bRowStride: 0, bColStride: 0, c: out, bias: 0 }, true);
}

/**
 * BatchMatMul, and _FusedMatMul with a bias over the last axis, on our threaded SIMD product
 * (kernels/assembly/matmul.as). Transposed operands are read through their strides, so no
 * transpose is ever materialised. Batches broadcast when one side has a single matrix; other
 * broadcasts, other biases, fused activations and non-float32 inputs go to the package's kernel.
 */
export function batchMatMulConfig(kernelName: typeof tf.BatchMatMul | typeof tf._FusedMatMul, fallback: KernelFunc | undefined) {
  return wasmKernel(
    kernelName,
    (ctx) => {
      const a = ctx.input('a');
      const b = ctx.input('b');
      const { transposeA, transposeB, activation } = ctx.attrs as unknown as _FusedMatMulAttrs;
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || (activation !== undefined && activation !== 'linear')) return null;
      const biasInput = ctx.inputs['bias'];
      const [aRows, aCols] = a.shape.slice(-2) as [number, number];
      const [bRows, bCols] = b.shape.slice(-2) as [number, number];
      const m = transposeA ? aCols : aRows;
      const k = transposeA ? aRows : aCols;
      const n = transposeB ? bRows : bCols;
      if ((transposeB ? bCols : bRows) !== k) {
        throw new Error(`BatchMatMul: inner dimensions differ: [${a.shape.join(', ')}]${transposeA ? 'ᵀ' : ''} · [${b.shape.join(', ')}]${transposeB ? 'ᵀ' : ''}`);
      }
      const aBatch = tf.util.sizeFromShape(a.shape.slice(0, -2));
      const bBatch = tf.util.sizeFromShape(b.shape.slice(0, -2));
      const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const batch = tf.util.sizeFromShape(outer);
      if ((aBatch !== batch && aBatch !== 1) || (bBatch !== batch && bBatch !== 1)) return null;
      if (biasInput !== undefined && (biasInput.dtype !== 'float32' || tf.util.sizeFromShape(biasInput.shape) !== n || biasInput.shape[biasInput.shape.length - 1] !== n)) return null;
      const bias = biasInput === undefined ? 0 : ctx.at('bias');

      const out = ctx.output([...outer, m, n]);
      const aAt = ctx.at('a');
      const bAt = ctx.at('b');
      for (let i = 0; i < batch; i++) {
        runMatMul(
          ctx.runtime,
          {
            m,
            n,
            k,
            a: aAt + (aBatch === 1 ? 0 : i * m * k * 4),
            aRowStride: transposeA ? 1 : k,
            aColStride: transposeA ? m : 1,
            b: bAt + (bBatch === 1 ? 0 : i * k * n * 4),
            bRowStride: transposeB ? 1 : n,
            bColStride: transposeB ? k : 1,
            c: out.at + i * m * n * 4,
            bias,
          },
          false,
        );
      }
      return out.info;
    },
    fallback,
  );
}
