import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, FusedConv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { PACKING_PARTS_PER_THREAD, REDUCTION_PARTS, WORK_PER_ELEMENT, type KernelRuntime, type ScratchSizer } from '../../kernels/kernel-runtime.js';
import { geometryFields } from './geometry.js';
import { directConvolution, runsDirect } from './sparse-conv.js';
import { requireShape, wasmKernel, type WasmKernelContext } from './wasm-kernel.js';

/*
 * Conv2D and its two gradients on our threaded SIMD kernels (kernels/assembly/conv.as), NHWC,
 * any stride and padding, no dilation (stride 1 with few input channels, over more than one batch
 * chunk, on those of sparse-conv.ts: see runsDirect, which decides per pass). tfjs-wasm 4.22 has
 * no Conv2DBackpropFilter at all and a naive Conv2DBackpropInput; these replace both, and the
 * forward kernel too, so that all three passes of a convolution run on every kernel thread.
 */

type Shape4 = [number, number, number, number];

/** Index of the scratch field of ConvArgs in conv.as (scratchPerPart follows); set once the scratch is sized. */
const SCRATCH_FIELD = 17;

function convInfo(
  op: string,
  xShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; pad: Conv2DAttrs['pad']; dataFormat: string; dimRoundingMode?: Conv2DAttrs['dimRoundingMode'] },
  dilations: Conv2DAttrs['dilations'] = 1,
): tf.backend_util.Conv2DInfo | string {
  if (attrs.dataFormat !== 'NHWC') return `${op} (wasm): dataFormat ${attrs.dataFormat} is not supported, only NHWC`;
  if (xShape.length !== 4 || filterShape.length !== 4) return `${op} (wasm): input [${xShape.join(', ')}] and filter [${filterShape.join(', ')}] must both be rank 4`;
  const info = tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return `${op} (wasm): dilation is not supported`;
  return info;
}

/** Writes ConvArgs for `info` with the tensor addresses (bias 0: none) and sizes the scratch of `parts` parts. */
function writeConvArgs(runtime: KernelRuntime, info: tf.backend_util.Conv2DInfo, x: number, w: number, y: number, bias: number, sizer: ScratchSizer, parts: number): void {
  runtime.writeArgs([...geometryFields(info), x, w, y, bias, 0, 0]);
  const scratch = runtime.scratch(runtime.scratchBytes(sizer), parts);
  runtime.setArg(SCRATCH_FIELD, scratch.base);
  runtime.setArg(SCRATCH_FIELD + 1, scratch.perPart);
}

function convFlops(info: tf.backend_util.Conv2DInfo): number {
  return 2 * info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
}

/**
 * Conv2D, and FusedConv2D with a bias per output channel (added as each output tile starts, or
 * on the direct path as each image is written out); other biases, a fused activation, dilation
 * or NCHW go to the package's kernel.
 */
export function conv2dConfig(kernelName: typeof tf.Conv2D | typeof tf.FusedConv2D, fallback: KernelFunc | undefined) {
  return wasmKernel(
    kernelName,
    (ctx: WasmKernelContext): TensorInfo | null => {
      const x = ctx.input('x');
      const filter = ctx.input('filter');
      const attrs = ctx.attrs as unknown as FusedConv2DAttrs;
      if (x.dtype !== 'float32' || (attrs.activation !== undefined && attrs.activation !== 'linear')) return null;
      const info = convInfo(kernelName, x.shape, filter.shape, attrs, attrs.dilations);
      if (typeof info === 'string') return null;
      const biasInput = ctx.inputs['bias'];
      if (biasInput !== undefined && (biasInput.dtype !== 'float32' || tf.util.sizeFromShape(biasInput.shape) !== info.outChannels)) return null;
      const out = ctx.output(info.outShape);
      const bias = biasInput === undefined ? 0 : ctx.at('bias');
      if (runsDirect(info, 'forward')) {
        directConvolution(ctx, info, ctx.at('filter'), { x: ctx.at('x'), y: out.at, bias });
        return out.info;
      }
      const parts = ctx.runtime.partsFor(convFlops(info), PACKING_PARTS_PER_THREAD);
      writeConvArgs(ctx.runtime, info, ctx.at('x'), ctx.at('filter'), out.at, bias, 'conv2dScratchBytes', parts);
      ctx.runtime.run('conv2d', [ctx.runtime.argsAt], parts);
      return out.info;
    },
    fallback,
  );
}

export const conv2dBackpropInputConfig = wasmKernel(tf.Conv2DBackpropInput, (ctx) => {
  const filter = ctx.input('filter');
  const attrs = ctx.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = convInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  if (typeof info === 'string') throw new Error(info);
  requireShape('Conv2DBackpropInput', 'dy', ctx.input('dy'), info.outShape);
  const dx = ctx.output(info.inShape);
  if (runsDirect(info, 'inputGradient')) {
    directConvolution(ctx, info, ctx.at('filter'), { x: 0, dy: ctx.at('dy'), dx: dx.at, grad: 0 });
    return dx.info;
  }
  const parts = ctx.runtime.partsFor(convFlops(info), PACKING_PARTS_PER_THREAD);
  writeConvArgs(ctx.runtime, info, dx.at, ctx.at('filter'), ctx.at('dy'), 0, 'conv2dInputGradScratchBytes', parts);
  ctx.runtime.run('conv2dInputGrad', [ctx.runtime.argsAt], parts);
  return dx.info;
});

export const conv2dBackpropFilterConfig = wasmKernel(tf.Conv2DBackpropFilter, (ctx) => {
  const x = ctx.input('x');
  const attrs = ctx.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = convInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  if (typeof info === 'string') throw new Error(info);
  requireShape('Conv2DBackpropFilter', 'dy', ctx.input('dy'), info.outShape);
  const dw = ctx.output(attrs.filterShape);
  if (runsDirect(info, 'filterGradient')) {
    directConvolution(ctx, info, 0, { x: ctx.at('x'), dy: ctx.at('dy'), dx: 0, grad: dw.at });
    return dw.info;
  }
  const { runtime } = ctx;
  const parts = REDUCTION_PARTS;
  writeConvArgs(runtime, info, ctx.at('x'), dw.at, ctx.at('dy'), 0, 'conv2dFilterGradScratchBytes', parts);
  // Each part sums its share of the pixels into its own buffer, then the parts are added up.
  runtime.run('conv2dFilterGrad', [runtime.argsAt], parts);
  runtime.run('conv2dFilterGradSum', [runtime.argsAt, parts], runtime.partsFor(tf.util.sizeFromShape(attrs.filterShape) * parts * WORK_PER_ELEMENT.sumRows));
  return dw.info;
});
