import * as tf from '@tensorflow/tfjs-core';

/**
 * Names of our own tfjs kernels (registered for wasm by backend/wasm-kernels/register.ts). Layers
 * call them by name, so they need not import the wasm package.
 */
export const KERNEL_NAMES = {
  batchChunks: 'RiglBatchChunks',
  compressedDense: 'RiglCompressedDense',
  compressedDenseGrad: 'RiglCompressedDenseGrad',
  compressedIndex: 'RiglCompressedIndex',
  carryValues: 'RiglCarryValues',
  mergeActive: 'RiglMergeActive',
  sparseConv: 'RiglSparseConv',
  sparseConvGrad: 'RiglSparseConvGrad',
  sumLeadingAxes: 'RiglSumLeadingAxes',
  sgdSteps: 'RiglSgdSteps',
  batchNorm: 'RiglBatchNorm',
  batchNormGrad: 'RiglBatchNormGrad',
  reluGrad: 'RiglReluGrad',
  dropout: 'RiglDropout',
  softmaxCrossEntropy: 'RiglSoftmaxCrossEntropy',
  assembleBatch: 'RiglAssembleBatch',
  selectMagnitudes: 'RiglSelectMagnitudes',
} as const;

/**
 * Attributes of RiglSgdSteps (see Sgd in optimizer.ts), which steps several tensors at once: its
 * inputs weights{i}, grad{i} and optional velocity{i} and mask{i}; the mask masks the gradient or,
 * with maskWeights, the new weights. decays: the weight decay of each tensor.
 */
export interface SgdStepsAttrs {
  lr: number;
  momentum: number;
  nesterov: boolean;
  maskWeights: boolean;
  decays: number[];
}

/**
 * Attributes of RiglCompressedDenseGrad: which outputs to make (dL/dW at the active positions, or
 * at every position on a step that needs dense gradients; dL/db; dL/dx), dx's layout, and whether
 * x is a ReLU's output (see backend/wasm-kernels/compressed.ts).
 */
export interface CompressedDenseGradAttrs {
  activeGradient: boolean;
  denseGradient: boolean;
  biasGradient: boolean;
  inputGradient: boolean;
  inputChunks: boolean;
  reluInput: boolean;
}

/** Attributes of RiglSparseConv: a convolution's padding, stride (the same along both axes) and its filter's dense shape [kh, kw, inC, outC]. */
export interface SparseConvAttrs {
  pad: 'valid' | 'same';
  stride: number;
  filterShape: [number, number, number, number];
}

/** Attributes of RiglSparseConvGrad: which of its outputs (dL/dW at the active positions, dL/dx) to make. */
export interface SparseConvGradAttrs extends SparseConvAttrs {
  activeGradient: boolean;
  inputGradient: boolean;
}

/** Whether the active backend has one of our kernels (the wasm backend has them all; others none). */
export function hasKernel(name: (typeof KERNEL_NAMES)[keyof typeof KERNEL_NAMES]): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
