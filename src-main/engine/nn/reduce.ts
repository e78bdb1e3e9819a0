import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';

/**
 * Sum over every axis but the last: [..., C] -> [C]. tfjs-wasm reduces only innermost axes, so
 * tf.sum over the leading axes transposes the whole tensor first; our wasm kernel reads it once.
 */
export function sumLeadingAxes(x: tf.Tensor): tf.Tensor1D {
  if (hasKernel(KERNEL_NAMES.sumLeadingAxes)) {
    return tf.engine().runKernel(KERNEL_NAMES.sumLeadingAxes, { x }, {}) as tf.Tensor1D;
  }
  return tf.sum(x, x.shape.slice(0, -1).map((_, i) => i)) as tf.Tensor1D;
}
