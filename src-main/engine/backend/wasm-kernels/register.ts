import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { maxPoolGradConfig } from './max-pool-grad.js';

/** Kernels our models need that tfjs-backend-wasm 4.22 does not have. */
const MISSING: readonly KernelConfig[] = [conv2dBackpropFilterConfig];

/** Kernels it has but computes wrongly; ours replace them. */
const CORRECTED: readonly KernelConfig[] = [maxPoolGradConfig];

/**
 * Registers our wasm kernels; safe to call on every backend selection. A missing kernel that
 * the package does provide (a later version may) is left alone.
 */
export function registerWasmKernels(): void {
  for (const config of MISSING) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  for (const config of CORRECTED) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
