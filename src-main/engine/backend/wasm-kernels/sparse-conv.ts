import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { denseChannelIndex } from '../../kernels/channel-index.js';
import { KERNEL_NAMES, type SparseConvAttrs, type SparseConvGradAttrs } from '../../kernels/names.js';
import { BATCH_CHUNK, WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';
import { withHostArrays, withTemporaries } from './temporaries.js';
import { requireShape, wasmKernel, type WasmKernelContext } from './wasm-kernel.js';

/*
 * A convolution on weights indexed by output channel (kernels/assembly/sparse-conv.as),
 * NHWC: the compressed weights of a sparse layer (forward and backward each one tfjs kernel; see
 * nn/compressed-weights.ts), or every position of a dense filter with few input channels, which
 * these kernels run faster than the dense ones (see directConvolution; each pass two output
 * channels at a time, on denseConvForward, denseConvInputGrad and denseConvFilterGrad).
 */

/** Index of SparseConvArgs.scratch in sparse-conv.as (scratchPerPart follows). */
const SCRATCH_FIELD = 24;

/** Heap addresses of weights indexed by output channel: channelPtr, rows, order (int32) and the values in position order. */
interface IndexAt {
  channelPtr: number;
  rows: number;
  order: number;
  vals: number;
  nnz: number;
}

/** The tensors of one pass: input, output (forward) or dL/dy, bias, dL/dx and the weight gradient's partials (0: none). */
interface PassAt {
  x: number;
  y: number;
  bias: number;
  dx: number;
  partials: number;
}

/**
 * Writes SparseConvArgs, gathers each entry's offset and weight (into two temporaries), sizes the
 * scratch of the parts and runs `kernel` pinned over the batch.
 */
type SparseConvKernel = 'sparseConvForward' | 'sparseConvBackward' | 'denseConvForward' | 'denseConvInputGrad' | 'denseConvFilterGrad';

function runSparseConv(ctx: WasmKernelContext, kernel: SparseConvKernel, info: tf.backend_util.Conv2DInfo, index: IndexAt, pass: PassAt): void {
  const { runtime } = ctx;
  withTemporaries(ctx, [[index.nnz], [index.nnz]], ([offsets, weights]) => {
    const geometry = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels];
    const window = [info.filterHeight, info.filterWidth, info.padInfo.top, info.padInfo.left, info.strideHeight, info.strideWidth];
    const indexFields = [index.channelPtr, index.rows, index.order, index.vals, offsets!, weights!];
    const args = runtime.writeArgs([...geometry, ...window, ...indexFields, pass.x, pass.y, pass.bias, pass.dx, pass.partials, 0, 0]);
    const parts = runtime.batchParts(info.batchSize);
    const scratch = runtime.scratch(runtime.scratchBytes('sparseConvScratchBytes'), parts);
    runtime.setArg(SCRATCH_FIELD, scratch.base);
    runtime.setArg(SCRATCH_FIELD + 1, scratch.perPart);
    runtime.call('sparseConvPrepare', [args]);
    runtime.runPinned(kernel, [args], parts);
  });
}

/**
 * The backward pass: dL/dx into `dx` when not 0, and the weight gradient at the indexed positions
 * into `grad` when not 0 (each chunk's apart, then added in chunk order); `kernel` the
 * weight gradient's alone of a dense filter.
 */
function runSparseConvBackward(
  ctx: WasmKernelContext,
  info: tf.backend_util.Conv2DInfo,
  index: IndexAt,
  io: { x: number; dy: number; dx: number; grad: number },
  kernel: 'sparseConvBackward' | 'denseConvFilterGrad' = 'sparseConvBackward',
): void {
  const chunks = Math.ceil(info.batchSize / BATCH_CHUNK);
  withTemporaries(ctx, io.grad !== 0 ? [[chunks, index.nnz]] : [], ([partials]) => {
    runSparseConv(ctx, kernel, info, index, { x: io.x, y: io.dy, bias: 0, dx: io.dx, partials: partials ?? 0 });
    if (io.grad !== 0) ctx.runtime.run('sumPartials', [partials!, chunks, index.nnz, io.grad], ctx.runtime.partsFor(index.nnz * chunks * WORK_PER_ELEMENT.sumRows));
  });
}

/** The geometry of a compressed layer's pass, its input x checked against the filter. */
function convInfo(kernelName: string, x: TensorInfo, attrs: SparseConvAttrs): tf.backend_util.Conv2DInfo {
  if (x.shape.length !== 4 || x.shape[3] !== attrs.filterShape[2]) {
    throw new Error(`${kernelName}: x has shape [${x.shape.join(', ')}], expected NHWC with ${attrs.filterShape[2]} channels`);
  }
  if (!Number.isInteger(attrs.stride) || attrs.stride < 1) throw new Error(`${kernelName}: stride must be a positive integer, got ${attrs.stride}`);
  return tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.stride, 1, attrs.pad, undefined, false, 'channelsLast');
}

/** The compressed weights of a sparse layer: inputs channelPtr, rows, order, vals. */
function compressedIndexAt(ctx: WasmKernelContext, kernelName: string, outC: number): IndexAt {
  const nnz = ctx.input('rows').shape[0]!;
  requireShape(kernelName, 'channelPtr', ctx.input('channelPtr'), [outC + 1]);
  requireShape(kernelName, 'order', ctx.input('order'), [nnz]);
  requireShape(kernelName, 'vals', ctx.input('vals'), [nnz]);
  return { channelPtr: ctx.at('channelPtr'), rows: ctx.at('rows'), order: ctx.at('order'), vals: ctx.at('vals'), nnz };
}

/** Inputs x, channelPtr, rows, order, vals and optional bias [outC]; output y = conv(x, W) + bias. */
const sparseConv = wasmKernel(KERNEL_NAMES.sparseConv, (ctx) => {
  const attrs = ctx.attrs as unknown as SparseConvAttrs;
  const info = convInfo(KERNEL_NAMES.sparseConv, ctx.input('x'), attrs);
  const index = compressedIndexAt(ctx, KERNEL_NAMES.sparseConv, info.outChannels);
  const biasInput = ctx.inputs['bias'];
  if (biasInput !== undefined) requireShape(KERNEL_NAMES.sparseConv, 'bias', biasInput, [info.outChannels]);
  const y = ctx.output(info.outShape);
  const bias = biasInput === undefined ? 0 : ctx.at('bias');
  runSparseConv(ctx, 'sparseConvForward', info, index, { x: ctx.at('x'), y: y.at, bias, dx: 0, partials: 0 });
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
  const info = convInfo(KERNEL_NAMES.sparseConvGrad, x, attrs);
  const index = compressedIndexAt(ctx, KERNEL_NAMES.sparseConvGrad, info.outChannels);
  requireShape(KERNEL_NAMES.sparseConvGrad, 'dy', ctx.input('dy'), info.outShape);
  const grad = attrs.activeGradient ? ctx.output([index.nnz]) : null;
  const dx = attrs.inputGradient ? ctx.output(x.shape) : null;
  runSparseConvBackward(ctx, info, index, { x: ctx.at('x'), dy: ctx.at('dy'), dx: dx?.at ?? 0, grad: grad?.at ?? 0 });
  return [grad, dx].flatMap((o): TensorInfo[] => (o ? [o.info] : []));
});

export const SPARSE_CONV_KERNEL_CONFIGS = [sparseConv, sparseConvGrad];

/**
 * Below this many input channels, a pass of a dense stride-1 convolution over at least two batch
 * chunks runs on the sparse kernels with every position indexed. Measured at batch 128 against
 * the dense kernels (ms, direct / dense):
 * - 1 channel: LeNet-5's first convolution (5×5 to 20) 1.7 / 3.9 forward and 2.7 / 3.5 for the
 *   filter gradient; the classic LeNet-5's (5×5 'same' to 6) 0.9 / 4.4 and 1.3 / 4.1.
 * - 3 channels (WRN's stem, 3×3 to 16, batch 64): 1.3 / 1.9 forward, 2.4 / 2.9 filter gradient,
 *   1.7 / 3.9 input gradient.
 * - 4 and 6 channels (5×5 to 16, 14×14 'valid'): the dense kernels win for the filter gradient
 *   (2.0 / 1.1 and 3.0 / 2.2), the direct ones for the input gradient (1.7 / 3.2 and 2.5 / 3.2:
 *   its few output channels fill the dense kernel's vectors poorly) and, since the forward pass
 *   takes two channels at a time, forward (1.25 / 1.57 and 2.0 / 2.1; the classic LeNet-5's dense
 *   step 12.5–12.9 ms against 12.7–13.6 with its second convolution forward on the dense kernel,
 *   in turns on a loaded machine).
 * Over one chunk the sparse kernels would run on one thread. The choice depends on the shapes
 * only, so the numbers do not depend on the number of threads.
 */
const DIRECT_BELOW_CHANNELS: Record<ConvPass, number> = { forward: 8, filterGradient: 4, inputGradient: 8 };

export type ConvPass = 'forward' | 'filterGradient' | 'inputGradient';

export function runsDirect(info: tf.backend_util.Conv2DInfo, pass: ConvPass): boolean {
  const stride1 = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  return stride1 && info.inChannels < DIRECT_BELOW_CHANNELS[pass] && info.batchSize > BATCH_CHUNK;
}

/** Runs `body` with every position of a dense filter at `filter` indexed by output channel (written to temporaries). */
function withDenseIndex(ctx: WasmKernelContext, info: tf.backend_util.Conv2DInfo, filter: number, body: (index: IndexAt) => void): void {
  const arrays = denseChannelIndex([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  withHostArrays(ctx, [arrays.channelPtr, arrays.rows, arrays.order], ([channelPtr, rows, order]) => {
    body({ channelPtr: channelPtr!, rows: rows!, order: order!, vals: filter, nnz: arrays.rows.length });
  });
}

/** A dense convolution pass for which runsDirect holds, on the sparse kernels: the forward pass (y, bias) or the backward (dx and/or the filter gradient). */
export function directConvolution(ctx: WasmKernelContext, info: tf.backend_util.Conv2DInfo, filter: number, pass: { x: number; y: number; bias: number } | { x: number; dy: number; dx: number; grad: number }): void {
  withDenseIndex(ctx, info, filter, (index) => {
    if ('y' in pass) runSparseConv(ctx, 'denseConvForward', info, index, { ...pass, dx: 0, partials: 0 });
    else if (pass.grad === 0) runSparseConv(ctx, 'denseConvInputGrad', info, index, { x: 0, y: pass.dy, bias: 0, dx: pass.dx, partials: 0 });
    else runSparseConvBackward(ctx, info, index, pass, pass.dx === 0 ? 'denseConvFilterGrad' : 'sparseConvBackward');
  });
}
