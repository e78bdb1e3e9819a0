import * as tf from '@tensorflow/tfjs-core';
import type { Padding } from '../../../src-shared/models/spec.js';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import type { CompressedWeights } from './compressed-weights.js';

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

/** y = x·W (+ b) on compressed W, and xT (x transposed, stored by batch chunk) for compressedDenseGrad only. */
export function compressedDense(x: tf.Tensor2D, w: CompressedWeights, bias: tf.Tensor | null): { y: tf.Tensor2D; xT: tf.Tensor2D } {
  const inputs = { x, colPtr: w.colPtr, colRows: w.colRows, colOrder: w.colOrder, vals: w.values, ...(bias ? { bias } : {}) };
  const [y, xT] = tf.engine().runKernel(KERNEL_NAMES.compressedDense, inputs, {}) as tf.Tensor2D[];
  return { y: y!, xT: xT! };
}

/**
 * From dL/dy and the forward pass's xT: dL/dW at W's active positions, dL/db and dL/dx, each
 * only when asked for (null otherwise).
 */
export function compressedDenseGrad(
  dy: tf.Tensor2D,
  xT: tf.Tensor2D,
  w: CompressedWeights,
  wanted: { activeGradient: boolean; biasGradient: boolean; inputGradient: boolean },
): { grad: tf.Tensor1D | null; dbias: tf.Tensor1D | null; dx: tf.Tensor2D | null } {
  const outputs = tf.engine().runKernel(KERNEL_NAMES.compressedDenseGrad, { dy, xT, rowPtr: w.rowPtr, cols: w.cols, vals: w.values }, wanted) as tf.Tensor[];
  const next = (wanted: boolean): tf.Tensor | null => (wanted ? outputs.shift()! : null);
  const grad = next(wanted.activeGradient) as tf.Tensor1D | null;
  const dbias = next(wanted.biasGradient) as tf.Tensor1D | null;
  return { grad, dbias, dx: next(wanted.inputGradient) as tf.Tensor2D | null };
}

/** The index of compressed weights at `positions` (int32, increasing flat indices of W [nIn, nOut]). */
export function compressedIndex(positions: tf.Tensor1D, nIn: number, nOut: number): { rowPtr: tf.Tensor1D; cols: tf.Tensor1D; colPtr: tf.Tensor1D; colRows: tf.Tensor1D; colOrder: tf.Tensor1D } {
  const [rowPtr, cols, colPtr, colRows, colOrder] = tf.engine().runKernel(KERNEL_NAMES.compressedIndex, { positions }, { nIn, nOut }) as tf.Tensor1D[];
  return { rowPtr: rowPtr!, cols: cols!, colPtr: colPtr!, colRows: colRows!, colOrder: colOrder! };
}

/** values[sources[k]] for each k, 0 where sources[k] is −1 (sources: int32 indices into values). */
export function carryValues(values: tf.Tensor1D, sources: tf.Tensor1D): tf.Tensor1D {
  return tf.engine().runKernel(KERNEL_NAMES.carryValues, { values, sources }, {}) as tf.Tensor1D;
}

/** dL/dx of y = relu(x), from y: dy where y > 0, else 0. */
export function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (hasKernel(KERNEL_NAMES.reluGrad)) return tf.engine().runKernel(KERNEL_NAMES.reluGrad, { dy, y }, {}) as tf.Tensor;
  return tf.mul(dy, tf.step(y));
}
