import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { SPARSE_KERNEL_CONFIGS } from '../../kernels/tfjs-kernels.js';

/** Kernels our models need that tfjs-backend-wasm 4.22 does not have, and our own (compressed layers, reductions). */
const MISSING: readonly KernelConfig[] = [conv2dBackpropFilterConfig, ...SPARSE_KERNEL_CONFIGS];

/** Kernels it computes wrongly (MaxPoolGrad) or far too slowly (Conv2DBackpropInput); ours replace them. */
const REPLACED: readonly KernelConfig[] = [maxPoolGradConfig, conv2dBackpropInputConfig];

/**
 * Registers our wasm kernels; safe to call on every backend selection. A missing kernel that
 * the package does provide (a later version may) is left alone.
 */
export function registerWasmKernels(): void {
  for (const config of MISSING) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  for (const config of REPLACED) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
