import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, MaxPoolAttrs, MaxPoolGradAttrs } from '@tensorflow/tfjs-core';
import { WORK_PER_ELEMENT, type KernelRuntime } from '../../kernels/kernel-runtime.js';
import { geometryFields } from './geometry.js';
import { wasmKernel } from './wasm-kernel.js';

/*
 * MaxPool and MaxPoolGrad (NHWC) on our kernels (kernels/assembly/pooling.as), whole images per
 * thread. The package's MaxPoolGrad is wrong: tfjs-backend-wasm 4.22 starts each window's
 * running maximum at std::numeric_limits<float>::min(), the smallest positive float rather than
 * the lowest, so a window whose values are all ≤ 0 keeps position 0 and its gradient is dropped
 * (found by comparing with the cpu kernel on random inputs). Ours follows the cpu kernel: the
 * first maximum of each window, in row-major order, receives the window's gradient.
 */

function writePoolArgs(runtime: KernelRuntime, info: tf.backend_util.Conv2DInfo, x: number, dy: number, out: number): void {
  runtime.writeArgs([...geometryFields(info), x, dy, out]);
}

function poolInfo(shape: number[], attrs: MaxPoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

export function maxPoolConfig(fallback: KernelFunc | undefined) {
  return wasmKernel(
    tf.MaxPool,
    (ctx) => {
      const x = ctx.input('x');
      if (x.dtype !== 'float32' || x.shape.length !== 4) return null;
      const info = poolInfo(x.shape, ctx.attrs as unknown as MaxPoolAttrs);
      const out = ctx.output(info.outShape);
      const parts = Math.min(info.batchSize, ctx.runtime.partsFor(tf.util.sizeFromShape(info.outShape) * info.filterHeight * info.filterWidth * WORK_PER_ELEMENT.maxPool));
      writePoolArgs(ctx.runtime, info, ctx.at('x'), 0, out.at);
      ctx.runtime.run('maxPool', [ctx.runtime.argsAt], parts);
      return out.info;
    },
    fallback,
  );
}

export const maxPoolGradConfig = wasmKernel(tf.MaxPoolGrad, (ctx) => {
  const input = ctx.input('input');
  if (input.shape.length !== 4) throw new Error(`MaxPoolGrad (wasm): input must be rank 4, got shape [${input.shape.join(', ')}]`);
  // The attributes tfjs-core's maxPool gradient passes for this kernel name.
  const info = poolInfo(input.shape, ctx.attrs as unknown as MaxPoolGradAttrs);
  const dx = ctx.output(input.shape);
  const parts = Math.min(info.batchSize, ctx.runtime.partsFor(tf.util.sizeFromShape(info.outShape) * info.filterHeight * info.filterWidth * WORK_PER_ELEMENT.maxPoolGrad));
  writePoolArgs(ctx.runtime, info, ctx.at('input'), ctx.at('dy'), dx.at);
  ctx.runtime.run('maxPoolGrad', [ctx.runtime.argsAt], parts);
  return dx.info;
});
