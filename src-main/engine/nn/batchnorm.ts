import * as tf from '@tensorflow/tfjs-core';
import type { Buffer, ForwardContext, Module, Param } from './module.js';
import { sumLeadingAxes } from './reduce.js';

const EPSILON = 1e-5;
/** Weight of the newest batch in the running statistics (PyTorch's 0.1). */
const MOMENTUM = 0.1;

/** Batch normalisation over every axis but the last (channels). */
export class BatchNorm implements Module {
  readonly gamma: Param;
  readonly beta: Param;
  readonly runningMean: Buffer;
  readonly runningVar: Buffer;
  private xhat: tf.Tensor | null = null;
  private invStd: tf.Tensor | null = null;

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
    const n = x.size / x.shape[x.shape.length - 1]!;
    const mean = tf.div(sumLeadingAxes(x), n);
    const centred = tf.sub(x, mean);
    const variance = tf.div(sumLeadingAxes(tf.square(centred)), n);
    this.updateRunningStats(mean, variance, n);
    this.invStd = tf.rsqrt(tf.add(variance, EPSILON));
    this.xhat = tf.mul(centred, this.invStd);
    return tf.add(tf.mul(this.xhat, this.gamma.value), this.beta.value);
  }

  backward(dy: tf.Tensor): tf.Tensor {
    const xhat = this.xhat!;
    const sumDy = sumLeadingAxes(dy);
    const sumDyXhat = sumLeadingAxes(tf.mul(dy, xhat));
    this.gamma.grad = sumDyXhat;
    this.beta.grad = sumDy;
    const n = dy.size / dy.shape[dy.shape.length - 1]!;
    // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), with the per-channel factors folded first so
    // that the whole-tensor work is two products and two sums.
    const scale = tf.mul(this.gamma.value, this.invStd!);
    const xhatFactor = tf.neg(tf.mul(scale, tf.div(sumDyXhat, n)));
    const offset = tf.neg(tf.mul(scale, tf.div(sumDy, n)));
    return tf.add(tf.mul(dy, scale), tf.add(tf.mul(xhat, xhatFactor), offset));
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
