import * as tf from '@tensorflow/tfjs-core';
import type { _FusedMatMulAttrs, KernelFunc } from '@tensorflow/tfjs-core';
import { PACKING_PARTS_PER_THREAD } from '../../kernels/kernel-runtime.js';
import { wasmKernel } from './wasm-kernel.js';

/** Index of the scratch field of MatMulArgs in matmul.as (scratchPerPart follows). */
const SCRATCH_FIELD = 11;

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

      const { runtime } = ctx;
      const out = ctx.output([...outer, m, n]);
      const aAt = ctx.at('a');
      const bAt = ctx.at('b');
      const parts = runtime.partsFor(2 * m * n * k, PACKING_PARTS_PER_THREAD);
      for (let i = 0; i < batch; i++) {
        runtime.writeArgs([
          m,
          n,
          k,
          aAt + (aBatch === 1 ? 0 : i * m * k * 4),
          transposeA ? 1 : k,
          transposeA ? m : 1,
          bAt + (bBatch === 1 ? 0 : i * k * n * 4),
          transposeB ? 1 : n,
          transposeB ? k : 1,
          out.at + i * m * n * 4,
          bias,
          0,
          0,
        ]);
        const scratch = runtime.scratch(runtime.scratchBytes('matMulScratchBytes'), parts);
        runtime.setArg(SCRATCH_FIELD, scratch.base);
        runtime.setArg(SCRATCH_FIELD + 1, scratch.perPart);
        runtime.run('matMul', [runtime.argsAt], parts);
      }
      return out.info;
    },
    fallback,
  );
}
