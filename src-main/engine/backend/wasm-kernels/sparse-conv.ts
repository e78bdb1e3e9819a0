import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { KERNEL_NAMES, type SparseConvAttrs, type SparseConvGradAttrs } from '../../kernels/names.js';
import { BATCH_CHUNK, WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';
import { withTemporaries } from './temporaries.js';
import { wasmKernel, type WasmKernelContext } from './wasm-kernel.js';

/*
 * A stride-1 convolution on compressed weights (kernels/assembly/sparse-conv.as), NHWC: forward
 * and backward each one tfjs kernel. The weights are a conv kernel's active positions indexed by
 * output channel (channelPtr, rows, order, with vals in position order; see
 * nn/compressed-weights.ts).
 */

/** Index of SparseConvArgs.scratch in sparse-conv.as (scratchPerPart follows). */
const SCRATCH_FIELD = 22;

function sparseConvInfo(ctx: WasmKernelContext, xShape: number[], attrs: SparseConvAttrs): tf.backend_util.Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], attrs.filterShape, 1, 1, attrs.pad, undefined, false, 'channelsLast');
  const nnz = ctx.input('rows').shape[0]!;
  if (ctx.input('channelPtr').shape[0] !== info.outChannels + 1) throw new Error(`${KERNEL_NAMES.sparseConv}: channelPtr must have outC + 1 = ${info.outChannels + 1} entries`);
  if (ctx.input('order').shape[0] !== nnz || ctx.input('vals').shape[0] !== nnz) throw new Error(`${KERNEL_NAMES.sparseConv}: rows, order and vals must have the same length`);
  return info;
}

/**
 * Writes SparseConvArgs, gathers each entry's offset and weight (into two temporaries), sizes the
 * scratch of `parts` parts and runs `kernel` pinned over the batch.
 */
function runSparseConv(
  ctx: WasmKernelContext,
  kernel: 'sparseConvForward' | 'sparseConvBackward',
  info: tf.backend_util.Conv2DInfo,
  io: { y: number; bias: number; dx: number; partials: number },
): void {
  const { runtime } = ctx;
  const nnz = ctx.input('rows').shape[0]!;
  withTemporaries(ctx, [[nnz], [nnz]], ([offsets, weights]) => {
    const geometry = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels];
    const window = [info.filterHeight, info.filterWidth, info.padInfo.top, info.padInfo.left];
    const index = [ctx.at('channelPtr'), ctx.at('rows'), ctx.at('order'), ctx.at('vals'), offsets!, weights!];
    const args = runtime.writeArgs([...geometry, ...window, ...index, ctx.at('x'), io.y, io.bias, io.dx, io.partials, 0, 0]);
    const parts = runtime.batchParts(info.batchSize);
    const scratch = runtime.scratch(runtime.scratchBytes('sparseConvScratchBytes'), parts);
    runtime.setArg(SCRATCH_FIELD, scratch.base);
    runtime.setArg(SCRATCH_FIELD + 1, scratch.perPart);
    runtime.call('sparseConvPrepare', [args]);
    runtime.runPinned(kernel, [args], parts);
  });
}

/** Inputs x, channelPtr, rows, order, vals and optional bias [outC]; output y = conv(x, W) + bias. */
const sparseConv = wasmKernel(KERNEL_NAMES.sparseConv, (ctx) => {
  const info = sparseConvInfo(ctx, ctx.input('x').shape, ctx.attrs as unknown as SparseConvAttrs);
  const y = ctx.output(info.outShape);
  const bias = ctx.inputs['bias'] === undefined ? 0 : ctx.at('bias');
  runSparseConv(ctx, 'sparseConvForward', info, { y: y.at, bias, dx: 0, partials: 0 });
  return y.info;
});

/**
 * Inputs x, dy, channelPtr, rows, order, vals; attrs activeGradient and inputGradient say which
 * outputs to make. Outputs, in this order and each only when asked for: dL/dW at the active
 * positions [nnz] (in position order), dL/dx.
 */
const sparseConvGrad = wasmKernel(KERNEL_NAMES.sparseConvGrad, (ctx) => {
  const attrs = ctx.attrs as unknown as SparseConvGradAttrs;
  const x = ctx.input('x');
  const info = sparseConvInfo(ctx, x.shape, attrs);
  const nnz = ctx.input('rows').shape[0]!;
  const grad = attrs.activeGradient ? ctx.output([nnz]) : null;
  const dx = attrs.inputGradient ? ctx.output(x.shape) : null;
  const chunks = Math.ceil(info.batchSize / BATCH_CHUNK);
  // Each chunk's weight gradient comes apart; they are added in chunk order.
  withTemporaries(ctx, grad ? [[chunks, nnz]] : [], ([partials]) => {
    runSparseConv(ctx, 'sparseConvBackward', info, { y: ctx.at('dy'), bias: 0, dx: dx?.at ?? 0, partials: partials ?? 0 });
    if (grad) ctx.runtime.run('sumPartials', [partials!, chunks, nnz, grad.at], ctx.runtime.partsFor(nnz * chunks * WORK_PER_ELEMENT.sumRows));
  });
  return [grad, dx].flatMap((o): TensorInfo[] => (o ? [o.info] : []));
});

export const SPARSE_CONV_KERNEL_CONFIGS = [sparseConv, sparseConvGrad];
