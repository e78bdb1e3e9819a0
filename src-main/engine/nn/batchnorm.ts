import * as tf from '@tensorflow/tfjs-core';
import type { Buffer, ForwardContext, Module, Param } from './module.js';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { sumLeadingAxes } from './reduce.js';

const EPSILON = 1e-5;
/** Weight of the newest batch in the running statistics (PyTorch's 0.1). */
const MOMENTUM = 0.1;

/** What the backward pass needs from a training forward pass. */
interface Saved {
  x: tf.Tensor;
  mean: tf.Tensor1D;
  invStd: tf.Tensor1D;
}

/**
 * Batch statistics and the normalised output in training: our two-pass kernel where the
 * backend has it, tfjs ops elsewhere (both give the biased variance).
 */
function trainForward(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): Saved & { y: tf.Tensor; variance: tf.Tensor1D } {
  if (hasKernel(KERNEL_NAMES.batchNorm)) {
    const [y, mean, variance, invStd] = tf.engine().runKernel(KERNEL_NAMES.batchNorm, { x, gamma, beta }, { epsilon: EPSILON }) as tf.Tensor[];
    return { x, y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, invStd: invStd as tf.Tensor1D };
  }
  const n = x.size / x.shape[x.shape.length - 1]!;
  const mean = tf.div(sumLeadingAxes(x), n) as tf.Tensor1D;
  const centred = tf.sub(x, mean);
  const variance = tf.div(sumLeadingAxes(tf.square(centred)), n) as tf.Tensor1D;
  const invStd = tf.rsqrt(tf.add(variance, EPSILON)) as tf.Tensor1D;
  return { x, mean, variance, invStd, y: tf.add(tf.mul(tf.mul(centred, invStd), gamma), beta) };
}

/**
 * dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)) with x̂ = (x − mean)/σ, dγ = Σdy·x̂, dβ = Σdy. The
 * ops version folds the per-channel factors first so that the whole-tensor work is few passes.
 */
function trainBackward(dy: tf.Tensor, saved: Saved, gamma: tf.Tensor): { dx: tf.Tensor; dgamma: tf.Tensor; dbeta: tf.Tensor } {
  if (hasKernel(KERNEL_NAMES.batchNormGrad)) {
    const [dx, dgamma, dbeta] = tf.engine().runKernel(KERNEL_NAMES.batchNormGrad, { dy, x: saved.x, mean: saved.mean, invStd: saved.invStd, gamma }, {}) as tf.Tensor[];
    return { dx: dx!, dgamma: dgamma!, dbeta: dbeta! };
  }
  const xhat = tf.mul(tf.sub(saved.x, saved.mean), saved.invStd);
  const sumDy = sumLeadingAxes(dy);
  const sumDyXhat = sumLeadingAxes(tf.mul(dy, xhat));
  const n = dy.size / dy.shape[dy.shape.length - 1]!;
  const scale = tf.mul(gamma, saved.invStd);
  const xhatFactor = tf.neg(tf.mul(scale, tf.div(sumDyXhat, n)));
  const offset = tf.neg(tf.mul(scale, tf.div(sumDy, n)));
  return { dx: tf.add(tf.mul(dy, scale), tf.add(tf.mul(xhat, xhatFactor), offset)), dgamma: sumDyXhat, dbeta: sumDy };
}

/** Batch normalisation over every axis but the last (channels). */
export class BatchNorm implements Module {
  readonly gamma: Param;
  readonly beta: Param;
  readonly runningMean: Buffer;
  readonly runningVar: Buffer;
  private saved: Saved | null = null;

  constructor(name: string, channels: number) {
    this.gamma = { name: `${name}.gamma`, layer: name, value: tf.keep(tf.ones([channels])), grad: null, decay: false, maskable: false };
    this.beta = { name: `${name}.beta`, layer: name, value: tf.keep(tf.zeros([channels])), grad: null, decay: false, maskable: false };
    this.runningMean = { name: `${name}.running_mean`, value: tf.keep(tf.zeros([channels])) };
    this.runningVar = { name: `${name}.running_var`, value: tf.keep(tf.ones([channels])) };
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (!ctx.training) {
      const invStd = tf.rsqrt(tf.add(this.runningVar.value, EPSILON));
      return tf.add(tf.mul(tf.sub(x, this.runningMean.value), tf.mul(invStd, this.gamma.value)), this.beta.value);
    }
    const { y, variance, ...saved } = trainForward(x, this.gamma.value, this.beta.value);
    this.saved = saved;
    this.updateRunningStats(saved.mean, variance, x.size / x.shape[x.shape.length - 1]!);
    return y;
  }

  backward(dy: tf.Tensor): tf.Tensor {
    const { dx, dgamma, dbeta } = trainBackward(dy, this.saved!, this.gamma.value);
    this.gamma.grad = dgamma;
    this.beta.grad = dbeta;
    return dx;
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
    const nextMean = tf.keep(tf.add(tf.mul(this.runningMean.value, 1 - MOMENTUM), tf.mul(mean, MOMENTUM)));
    const nextVar = tf.keep(tf.add(tf.mul(this.runningVar.value, 1 - MOMENTUM), tf.mul(unbiased, MOMENTUM)));
    this.runningMean.value.dispose();
    this.runningVar.value.dispose();
    this.runningMean.value = nextMean;
    this.runningVar.value = nextVar;
  }

  params(): Param[] {
    return [this.gamma, this.beta];
  }

  buffers(): Buffer[] {
    return [this.runningMean, this.runningVar];
  }
}
