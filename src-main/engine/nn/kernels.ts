import * as tf from '@tensorflow/tfjs-core';
import type { Padding } from '../../../src-shared/models/spec.js';
import { hasKernel, KERNEL_NAMES, type CompressedDenseGradAttrs, type SparseConvAttrs, type SparseConvGradAttrs } from '../kernels/names.js';
import { isInBatchChunks, markBatchChunks } from './batch-chunks.js';
import type { CompressedWeights } from './compressed-weights.js';
import { int32View } from '../host-arrays.js';

/**
 * The gradient kernels the layers call directly. tfjs-core's Node bundle ships no gradient
 * registry, and the layers need none: each one writes its backward pass with these.
 */

export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  return tf.engine().runKernel(
    'Conv2DBackpropFilter',
    { x, dy },
    { strides: [stride, stride], pad, dataFormat: 'NHWC', filterShape },
  ) as tf.Tensor4D;
}

export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  return tf.engine().runKernel(
    'Conv2DBackpropInput',
    { dy, filter },
    { strides: [stride, stride], pad, dataFormat: 'NHWC', inputShape },
  ) as tf.Tensor4D;
}

export function maxPoolGrad(dy: tf.Tensor4D, input: tf.Tensor4D, output: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  return tf.engine().runKernel(
    'MaxPoolGrad',
    { dy, input, output },
    { filterSize: [size, size], strides: [stride, stride], pad: 'valid' },
  ) as tf.Tensor4D;
}

/**
 * Weights the compressed kernels take: the active ones, or a dense W [nIn, nOut] with every
 * position indexed.
 */
export type RowWeights = CompressedWeights | tf.Tensor2D;

/** The kernels' inputs for `w`: its row index and values, or a dense W as vals alone. */
function rowWeightInputs(w: RowWeights): { vals: tf.Tensor; rowPtr?: tf.Tensor; cols?: tf.Tensor } {
  if (w instanceof tf.Tensor) return { vals: w };
  const { rowPtr, cols } = w.byRow();
  return { rowPtr, cols, vals: w.values };
}

/**
 * yT = x·W (+ b) on compressed W (or a dense W, over every position), through a ReLU with `relu`, in batch chunks (batch-chunks.ts),
 * from x in batch chunks or batch-major; and xT, x in batch chunks (x itself, or the kernel's
 * copy) for compressedDenseGrad.
 */
export function compressedDense(x: tf.Tensor2D, w: RowWeights, bias: tf.Tensor | null, relu: boolean): { yT: tf.Tensor2D; xT: tf.Tensor2D } {
  const inputChunks = isInBatchChunks(x);
  const inputs = { x, ...rowWeightInputs(w), ...(bias ? { bias } : {}) };
  const outputs = tf.engine().runKernel(KERNEL_NAMES.compressedDense, inputs, { nOut: w.shape[1]!, inputChunks, relu }) as tf.Tensor2D | tf.Tensor2D[];
  const [yT, xT] = Array.isArray(outputs) ? outputs : [outputs, x];
  return { yT: markBatchChunks(yT!), xT: xT! };
}

/**
 * From dL/dy and the forward pass's xT, both in batch chunks: dL/dW at W's active positions (of
 * shape [nIn, nOut] for a dense W) or, with denseGradient, at every position [nIn, nOut]; dL/db
 * and dL/dx (in batch chunks with inputChunks, else batch-major), each only when asked for (null
 * otherwise). With reluInput (x is a ReLU's output), dL/dx is the gradient of the ReLU's input.
 */
export function compressedDenseGrad(
  dyT: tf.Tensor2D,
  xT: tf.Tensor2D,
  w: RowWeights,
  wanted: CompressedDenseGradAttrs,
): { grad: tf.Tensor | null; dbias: tf.Tensor1D | null; dx: tf.Tensor2D | null } {
  const outputs = tf.engine().runKernel(KERNEL_NAMES.compressedDenseGrad, { dyT, xT, ...rowWeightInputs(w) }, { ...wanted }) as tf.Tensor[];
  const next = (wanted: boolean): tf.Tensor | null => (wanted ? outputs.shift()! : null);
  const grad = next(wanted.activeGradient || wanted.denseGradient);
  const dbias = next(wanted.biasGradient) as tf.Tensor1D | null;
  const dx = next(wanted.inputGradient) as tf.Tensor2D | null;
  return { grad, dbias, dx: dx && wanted.inputChunks ? markBatchChunks(dx) : dx };
}

/** A convolution (NHWC) on compressed conv weights, plus the bias. */
export function sparseConv2d(x: tf.Tensor4D, w: CompressedWeights, bias: tf.Tensor | null, stride: number, pad: Padding): tf.Tensor4D {
  const { channelPtr, rows, order } = w.byChannel();
  const attrs: SparseConvAttrs = { pad, stride, filterShape: w.shape as SparseConvAttrs['filterShape'] };
  const inputs = { x, channelPtr, rows, order, vals: w.values, ...(bias ? { bias } : {}) };
  return tf.engine().runKernel(KERNEL_NAMES.sparseConv, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** From x and dL/dy of sparseConv2d: dL/dW at W's active positions and dL/dx, each only when asked for (null otherwise). */
export function sparseConv2dGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  w: CompressedWeights,
  stride: number,
  pad: Padding,
  wanted: { activeGradient: boolean; inputGradient: boolean },
): { grad: tf.Tensor1D | null; dx: tf.Tensor4D | null } {
  const { channelPtr, rows, order } = w.byChannel();
  const attrs: SparseConvGradAttrs = { pad, stride, filterShape: w.shape as SparseConvAttrs['filterShape'], ...wanted };
  const outputs = tf.engine().runKernel(KERNEL_NAMES.sparseConvGrad, { x, dy, channelPtr, rows, order, vals: w.values }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const grad = wanted.activeGradient ? (outputs.shift() as tf.Tensor1D) : null;
  const dx = wanted.inputGradient ? (outputs.shift() as tf.Tensor4D) : null;
  return { grad, dx };
}

/** The row index of compressed weights at `positions` (int32, increasing flat indices of W [nIn, nOut]). */
export function compressedIndex(positions: tf.Tensor1D, nIn: number, nOut: number): { rowPtr: tf.Tensor1D; cols: tf.Tensor1D } {
  const [rowPtr, cols] = tf.engine().runKernel(KERNEL_NAMES.compressedIndex, { positions }, { nIn, nOut }) as tf.Tensor1D[];
  return { rowPtr: rowPtr!, cols: cols! };
}

/** values[sources[k]] for each k, 0 where sources[k] is −1 (sources: int32 indices into values). */
export function carryValues(values: tf.Tensor1D, sources: tf.Tensor1D): tf.Tensor1D {
  return tf.engine().runKernel(KERNEL_NAMES.carryValues, { values, sources }, {}) as tf.Tensor1D;
}

/** Increasing flat positions of a mask update: a kernel's active ones, those it drops and those it grows. */
export interface PositionLists {
  active: Uint32Array;
  dropped: Uint32Array;
  grown: Uint32Array;
}

/** What mergeActive carries to the new positions (one float per active position each) and indexes. */
export interface MergeExtras {
  values?: tf.Tensor1D;
  momentum?: tf.Tensor1D;
  /** [nIn, nOut] of a fully connected kernel, for the new positions' row index. */
  rows?: [number, number];
}

/**
 * (active − dropped) ∪ grown on the device (backend/wasm-kernels/compressed.ts): the new positions
 * and each one's index among the active ones (or −1), as int32 tensors, then the carried values
 * and momentum and the row index (rowPtr, cols) that `extras` asks for, in that order.
 */
export function mergeActive(lists: PositionLists, extras: MergeExtras = {}): tf.Tensor[] {
  const { values, momentum, rows } = extras;
  const inputs = { ...(values ? { values } : {}), ...(momentum ? { momentum } : {}) };
  const attrs = { active: int32View(lists.active), dropped: int32View(lists.dropped), grown: int32View(lists.grown), ...(rows ? { rows } : {}) };
  return tf.engine().runKernel(KERNEL_NAMES.mergeActive, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

/** dL/dx of y = relu(x), from y: dy where y > 0, else 0. */
export function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (hasKernel(KERNEL_NAMES.reluGrad)) return tf.engine().runKernel(KERNEL_NAMES.reluGrad, { dy, y }, {}) as tf.Tensor;
  return tf.mul(dy, tf.step(y));
}
