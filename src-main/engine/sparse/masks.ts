import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../../../src-shared/random.js';
import type { Param } from '../nn/module.js';
import { positions } from './select.js';

/**
 * The mask of one kernel: a host copy for selection, and a 0/1 tensor for the per-step products
 * of masked dense kernels, made when first asked for (compressed kernels never need it).
 */
export class LayerMask {
  readonly size: number;
  /** The kernel's shape, kept so that a compressed kernel need not build its dense form. */
  private readonly shape: number[];
  mask: Uint8Array;
  active: number;
  private maskTensor: tf.Tensor | null = null;
  /** The previous mask's buffer, for the next update to write into. */
  private spareBuffer: Uint8Array | null = null;
  /** The mask as floats on the host, kept for the next tensor upload. */
  private floats: Float32Array | null = null;
  /** The active positions, in increasing order, once listed. */
  private activePositions: Uint32Array | null = null;
  /** The active positions before the current ones, for the next update to write into. */
  private sparePositionsBuffer: Uint32Array | null = null;

  constructor(
    readonly param: Param,
    mask: Uint8Array,
  ) {
    this.size = param.value.size;
    this.shape = param.value.shape;
    this.mask = mask;
    this.active = countActive(mask);
  }

  get name(): string {
    return this.param.layer;
  }

  get density(): number {
    return this.active / this.size;
  }

  get tensor(): tf.Tensor {
    if (this.maskTensor === null) {
      // Reused: a fresh array this size costs a page fault per 4 KB on first touch.
      this.floats ??= new Float32Array(this.size);
      this.floats.set(this.mask);
      this.maskTensor = tf.keep(tf.tensor(this.floats, this.shape, 'float32'));
    }
    return this.maskTensor;
  }

  /** The active positions, in increasing order. */
  positions(): Uint32Array {
    this.activePositions ??= positions(this.mask, true);
    return this.activePositions;
  }

  /**
   * A buffer for the next active positions: those of two updates ago, which nothing holds any
   * more (a compressed kernel and its momentum move to the current ones during an update).
   */
  sparePositions(): Uint32Array | undefined {
    return this.sparePositionsBuffer ?? undefined;
  }

  /** A buffer of the mask's size for the next mask (the one before the current, reused). */
  spare(): Uint8Array {
    return this.spareBuffer ?? new Uint8Array(this.size);
  }

  /**
   * Replaces the mask (with its active positions, when the caller has them); the old buffer
   * becomes the spare one, so nothing may keep it.
   */
  set(mask: Uint8Array, activePositions: Uint32Array | null = null): void {
    if (mask !== this.mask) {
      this.spareBuffer = this.mask;
      this.mask = mask;
    }
    if (activePositions !== this.activePositions) this.sparePositionsBuffer = this.activePositions;
    this.activePositions = activePositions;
    this.active = activePositions?.length ?? countActive(mask);
    this.maskTensor?.dispose();
    this.maskTensor = null;
  }

  /**
   * Frees the 0/1 tensor and its host floats, each as large as the dense kernel: a compressed
   * kernel trains without them (`tensor` makes them again if a masked dense step asks).
   */
  releaseTensor(): void {
    this.maskTensor?.dispose();
    this.maskTensor = null;
    this.floats = null;
  }
}

function countActive(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
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
