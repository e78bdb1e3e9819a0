import * as tf from '@tensorflow/tfjs-core';
import type { Buffer, ForwardContext, Module, Param } from './module.js';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { maxPoolGrad, reluGrad } from './kernels.js';
import { isInBatchChunks, markBatchChunks } from './batch-chunks.js';

/** Layers without parameters. */
abstract class Stateless implements Module {
  abstract forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  abstract backward(dy: tf.Tensor): tf.Tensor;
  params(): Param[] {
    return [];
  }
  buffers(): Buffer[] {
    return [];
  }
}

/** Element by element, so it takes activations in batch chunks as they are (batch-chunks.ts). */
export class Relu extends Stateless {
  private y: tf.Tensor | null = null;

  takesBatchChunks(): boolean {
    return true;
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.y = tf.relu(x);
    return isInBatchChunks(x) ? markBatchChunks(this.y) : this.y;
  }

  backward(dy: tf.Tensor): tf.Tensor {
    return reluGrad(dy, this.y!);
  }
}

export class MaxPool extends Stateless {
  private x: tf.Tensor4D | null = null;
  private y: tf.Tensor4D | null = null;

  constructor(
    private readonly size: number,
    private readonly stride: number,
  ) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.x = x as tf.Tensor4D;
    this.y = tf.maxPool(this.x, this.size, this.stride, 'valid');
    return this.y;
  }

  backward(dy: tf.Tensor): tf.Tensor {
    return maxPoolGrad(dy as tf.Tensor4D, this.x!, this.y!, this.size, this.stride);
  }
}

/** Mean over height and width: [B, H, W, C] -> [B, C]. */
export class GlobalAvgPool extends Stateless {
  private shape: number[] = [];

  forward(x: tf.Tensor): tf.Tensor {
    this.shape = x.shape;
    return tf.mean(x, [1, 2]);
  }

  backward(dy: tf.Tensor): tf.Tensor {
    const [b, h, w, c] = this.shape as [number, number, number, number];
    const scaled = tf.reshape(tf.div(dy, h * w), [b, 1, 1, c]);
    return tf.mul(scaled, tf.ones([1, h, w, 1]));
  }
}

/** Input in batch chunks is already flat ([features, batch]): it passes as it is. */
export class Flatten extends Stateless {
  private shape: number[] = [];

  takesBatchChunks(): boolean {
    return true;
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.shape = x.shape;
    return isInBatchChunks(x) ? x : tf.reshape(x, [x.shape[0]!, -1]);
  }

  backward(dy: tf.Tensor): tf.Tensor {
    return tf.reshape(dy, this.shape);
  }
}

/**
 * Inverted dropout: kept units are scaled by 1/(1−rate) in training, identity in evaluation. The
 * backend's kernel draws the mask from a seed, again in the backward pass; elsewhere it is kept.
 */
export class Dropout extends Stateless {
  private drawn: { seed: number } | { mask: tf.Tensor } | null = null;

  constructor(private readonly rate: number) {
    super();
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (!ctx.training) {
      this.drawn = null;
      return x;
    }
    const seed = ctx.nextSeed();
    if (hasKernel(KERNEL_NAMES.dropout)) {
      this.drawn = { seed };
      return this.applyMask(x, seed);
    }
    const keep = tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', seed), this.rate));
    const mask = tf.div(keep, 1 - this.rate);
    this.drawn = { mask };
    return tf.mul(x, mask);
  }

  backward(dy: tf.Tensor): tf.Tensor {
    if (this.drawn === null) return dy;
    return 'seed' in this.drawn ? this.applyMask(dy, this.drawn.seed) : tf.mul(dy, this.drawn.mask);
  }

  private applyMask(x: tf.Tensor, seed: number): tf.Tensor {
    return tf.engine().runKernel(KERNEL_NAMES.dropout, { x }, { rate: this.rate, seed }) as tf.Tensor;
  }
}
