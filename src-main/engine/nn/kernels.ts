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

/** yT [nOut, batch] = (x·W)ᵀ from xT [nIn, batch] and compressed W. */
export function compressedMatMul(xT: tf.Tensor2D, w: CompressedWeights): tf.Tensor2D {
  return tf.engine().runKernel(
    KERNEL_NAMES.compressedMatMul,
    { xT, colPtr: w.colPtr, colRows: w.colRows, colOrder: w.colOrder, vals: w.values },
    {},
  ) as tf.Tensor2D;
}

/** dxT [nIn, batch] = (dy·Wᵀ)ᵀ from dyT [nOut, batch] and compressed W. */
export function compressedMatMulTransposed(dyT: tf.Tensor2D, w: CompressedWeights): tf.Tensor2D {
  return tf.engine().runKernel(KERNEL_NAMES.compressedMatMulTransposed, { dyT, rowPtr: w.rowPtr, cols: w.cols, vals: w.values }, {}) as tf.Tensor2D;
}

/** xᵀ·dy at the active positions of W only, one value per position. */
export function compressedSampledGrad(xT: tf.Tensor2D, dyT: tf.Tensor2D, w: CompressedWeights): tf.Tensor1D {
  return tf.engine().runKernel(KERNEL_NAMES.compressedSampledGrad, { xT, dyT, rowPtr: w.rowPtr, cols: w.cols }, {}) as tf.Tensor1D;
}

/** dL/dx of y = relu(x), from y: dy where y > 0, else 0. */
export function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (hasKernel(KERNEL_NAMES.reluGrad)) return tf.engine().runKernel(KERNEL_NAMES.reluGrad, { dy, y }, {}) as tf.Tensor;
  return tf.mul(dy, tf.step(y));
}
