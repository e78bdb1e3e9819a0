import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../../../src-shared/random.js';
import type { Param } from '../nn/module.js';

/** The mask of one kernel: a host copy for selection and a 0/1 tensor for the per-step products. */
export class LayerMask {
  readonly size: number;
  /** The kernel's shape, kept so that a compressed kernel need not build its dense form. */
  private readonly shape: number[];
  mask: Uint8Array;
  tensor: tf.Tensor;
  active: number;

  constructor(
    readonly param: Param,
    mask: Uint8Array,
  ) {
    this.size = param.value.size;
    this.shape = param.value.shape;
    this.mask = mask;
    this.active = countActive(mask);
    this.tensor = tf.keep(maskTensor(mask, this.shape));
  }

  get name(): string {
    return this.param.layer;
  }

  get density(): number {
    return this.active / this.size;
  }

  /** Replaces the mask and refreshes its tensor. */
  set(mask: Uint8Array): void {
    this.mask = mask;
    this.active = countActive(mask);
    this.tensor.dispose();
    this.tensor = tf.keep(maskTensor(mask, this.shape));
  }

  dispose(): void {
    this.tensor.dispose();
  }
}

function countActive(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

function maskTensor(mask: Uint8Array, shape: number[]): tf.Tensor {
  return tf.tensor(new Float32Array(mask), shape, 'float32');
}

/** A mask with exactly `active` positions set, chosen uniformly at random. */
export function randomMask(size: number, active: number, rng: Random): Uint8Array {
  const mask = new Uint8Array(size);
  for (const i of rng.sample(size, active)) mask[i] = 1;
  return mask;
}

/** Sets `param`'s value to value·mask (keeping the result past the caller's tidy). */
export function maskParam(param: Param, mask: LayerMask): void {
  const next = tf.keep(tf.mul(param.value, mask.tensor));
  param.value.dispose();
  param.value = next;
}
