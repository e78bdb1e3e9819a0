import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig, conv2dBackpropInputConfig, conv2dConfig } from './conv2d.js';
import { COMPRESSED_KERNEL_CONFIGS } from './compressed.js';
import { batchMatMulConfig } from './matmul.js';
import { dropoutConfig } from './dropout.js';
import { assembleBatchConfig } from './batch.js';
import { softmaxCrossEntropyConfig } from './loss.js';
import { maxPoolConfig, maxPoolGradConfig } from './max-pool.js';
import { batchNormConfig, batchNormGradConfig, reluConfig, reluGradConfig } from './normalization.js';
import { selectMagnitudesConfig } from './select.js';
import { sgdStepsConfig } from './sgd.js';
import { SPARSE_CONV_KERNEL_CONFIGS } from './sparse-conv.js';
import { transposeConfig } from './transpose.js';

/** The package's own kernels we replace, captured before the first replacement (ours fall back to them). */
const packageKernels = new Map<string, KernelFunc | undefined>();

function packageKernel(name: string): KernelFunc | undefined {
  if (!packageKernels.has(name)) packageKernels.set(name, tf.getKernel(name, 'wasm')?.kernelFunc);
  return packageKernels.get(name);
}

/**
 * Our kernels for the wasm backend: products and convolutions on our threaded SIMD kernels
 * (tfjs-wasm 4.22 lacks Conv2DBackpropFilter, has a naive Conv2DBackpropInput and uses one
 * thread), matrix transposes, max pooling and a correct MaxPoolGrad, one-pass SGD, BatchNorm,
 * ReLU and its gradient, dropout and softmax cross-entropy kernels, batches written on the
 * heap, RigL's growth selection, and our compressed-layer kernels (fully connected and conv).
 */
function ourKernels(): KernelConfig[] {
  return [
    batchMatMulConfig(tf.BatchMatMul, packageKernel(tf.BatchMatMul)),
    batchMatMulConfig(tf._FusedMatMul, packageKernel(tf._FusedMatMul)),
    conv2dConfig(tf.Conv2D, packageKernel(tf.Conv2D)),
    conv2dConfig(tf.FusedConv2D, packageKernel(tf.FusedConv2D)),
    conv2dBackpropInputConfig,
    conv2dBackpropFilterConfig,
    transposeConfig(packageKernel(tf.Transpose)),
    maxPoolConfig(packageKernel(tf.MaxPool)),
    maxPoolGradConfig,
    sgdStepsConfig,
    batchNormConfig,
    batchNormGradConfig,
    reluConfig(packageKernel(tf.Relu)),
    reluGradConfig,
    dropoutConfig,
    softmaxCrossEntropyConfig,
    assembleBatchConfig,
    selectMagnitudesConfig,
    ...COMPRESSED_KERNEL_CONFIGS,
    ...SPARSE_CONV_KERNEL_CONFIGS,
  ];
}

let registered: KernelConfig[] | null = null;

/** Registers our wasm kernels in place of the package's; safe to call on every backend selection. */
export function registerWasmKernels(): void {
  if (registered !== null) return;
  registered = ourKernels();
  for (const config of registered) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
