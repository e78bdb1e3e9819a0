import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TransposeAttrs } from '@tensorflow/tfjs-core';
import { wasmKernel } from './wasm-kernel.js';
import { TRANSPOSE_MODE, WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';

/**
 * Transpose of float32 matrices in 4×4 register blocks on every thread; other ranks and types go
 * to the package's kernel.
 */
export function transposeConfig(fallback: KernelFunc | undefined) {
  return wasmKernel(
    tf.Transpose,
    (ctx) => {
      const x = ctx.input('x');
      const { perm } = ctx.attrs as unknown as TransposeAttrs;
      if (x.dtype !== 'float32' || x.shape.length !== 2 || perm[0] !== 1 || perm[1] !== 0) return null;
      const [rows, cols] = x.shape as [number, number];
      const out = ctx.output([cols, rows]);
      ctx.runtime.run('transpose2d', [ctx.at('x'), rows, cols, out.at, TRANSPOSE_MODE.plain], ctx.runtime.partsFor(rows * cols * WORK_PER_ELEMENT.transpose));
      return out.info;
    },
    fallback,
  );
}
