import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { REDUCTION_PARTS, WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';
import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';

/*
 * BatchNorm in training mode and its gradient, two passes each over [..., C] (kernels/assembly/
 * normalization.as), and ReLU and its gradient in one each.
 */

/** Inputs x, gamma, beta; attr epsilon. Outputs y, the batch mean, the biased variance and 1/√(var + ε). */
export const batchNormConfig = wasmKernel(KERNEL_NAMES.batchNorm, (ctx) => {
  const x = ctx.input('x');
  const channels = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const { runtime } = ctx;
  const scratch = runtime.scratch(runtime.scratchBytes('normalizationScratchBytes', channels), REDUCTION_PARTS);
  runtime.run('batchNormMoments', [ctx.at('x'), rows, channels, scratch.base, scratch.perPart], REDUCTION_PARTS);
  const y = ctx.output(x.shape);
  const mean = ctx.output([channels]);
  const variance = ctx.output([channels]);
  const invStd = ctx.output([channels]);
  runtime.run(
    'batchNormForward',
    [ctx.at('x'), rows, channels, scratch.base, scratch.perPart, REDUCTION_PARTS, ctx.at('gamma'), ctx.at('beta'), ctx.attrs['epsilon'] as number, y.at, mean.at, variance.at, invStd.at],
    Math.min(REDUCTION_PARTS, runtime.partsFor(rows * channels * WORK_PER_ELEMENT.batchNormPass)),
  );
  return [y.info, mean.info, variance.info, invStd.info];
});

/** Inputs dy, x, mean, invStd, gamma (as the forward pass left them). Outputs dx, dγ, dβ. */
export const batchNormGradConfig = wasmKernel(KERNEL_NAMES.batchNormGrad, (ctx) => {
  const dy = ctx.input('dy');
  const channels = dy.shape[dy.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(dy.shape) / channels;
  const { runtime } = ctx;
  const scratch = runtime.scratch(runtime.scratchBytes('normalizationScratchBytes', channels), REDUCTION_PARTS);
  runtime.run('batchNormGradMoments', [ctx.at('dy'), ctx.at('x'), rows, channels, ctx.at('mean'), ctx.at('invStd'), scratch.base, scratch.perPart], REDUCTION_PARTS);
  const dx = ctx.output(dy.shape);
  const dgamma = ctx.output([channels]);
  const dbeta = ctx.output([channels]);
  runtime.run(
    'batchNormGrad',
    [ctx.at('dy'), ctx.at('x'), rows, channels, scratch.base, scratch.perPart, REDUCTION_PARTS, ctx.at('mean'), ctx.at('invStd'), ctx.at('gamma'), dx.at, dgamma.at, dbeta.at],
    Math.min(REDUCTION_PARTS, runtime.partsFor(rows * channels * WORK_PER_ELEMENT.batchNormPass)),
  );
  return [dx.info, dgamma.info, dbeta.info];
});

/** ReLU of a float32 tensor on every thread (the package's runs on one); other dtypes go to `fallback`. */
export function reluConfig(fallback: KernelFunc | undefined) {
  return wasmKernel(
    tf.Relu,
    (ctx) => {
      const x = ctx.input('x');
      if (x.dtype !== 'float32') return null;
      const n = tf.util.sizeFromShape(x.shape);
      const y = ctx.output(x.shape);
      ctx.runtime.run('relu', [ctx.at('x'), n, y.at], ctx.runtime.partsFor(n * WORK_PER_ELEMENT.relu));
      return y.info;
    },
    fallback,
  );
}

/** Inputs dy and y = relu(x); output dy where y > 0, else 0. */
export const reluGradConfig = wasmKernel(KERNEL_NAMES.reluGrad, (ctx) => {
  const dy = ctx.input('dy');
  const n = tf.util.sizeFromShape(dy.shape);
  const dx = ctx.output(dy.shape);
  ctx.runtime.run('reluGrad', [ctx.at('dy'), ctx.at('y'), n, dx.at], ctx.runtime.partsFor(n * WORK_PER_ELEMENT.reluGrad));
  return dx.info;
});
