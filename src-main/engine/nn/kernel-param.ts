import * as tf from '@tensorflow/tfjs-core';
import { readFloats } from '../kernels/tensor-view.js';
import { CompressedWeights, gather, scatter } from './compressed-weights.js';
import type { Param } from './module.js';

/**
 * How a layer trains on its kernel's active weights only: a fully connected layer by row, a
 * convolution by output channel (see CompressedWeights).
 */
export type SparseForm = 'rows' | 'channels';

/**
 * The kernel of a conv or fully connected layer. Dense kernels hold one tensor. A compressed
 * kernel (a sparse layer, see CompressedWeights) holds only its active values;
 * `value` then gives the dense tensor on demand (mask updates, checkpoints, the final report),
 * built once per change, and assigning `value` updates the active values from a dense tensor.
 */
export class KernelParam implements Param {
  readonly decay = true;
  readonly maskable = true;
  grad: tf.Tensor | null = null;
  private dense: tf.Tensor | null;
  private packed: CompressedWeights | null = null;

  constructor(
    readonly name: string,
    readonly layer: string,
    value: tf.Tensor,
    /** How its layer can train compressed. */
    readonly sparseForm: SparseForm,
    /** Densest mask at which it trains compressed (see MAX_COMPRESSED_DENSITY). */
    readonly maxCompressedDensity: number,
  ) {
    this.dense = value;
  }

  get value(): tf.Tensor {
    this.dense ??= tf.keep(this.packed!.toDense());
    return this.dense;
  }

  set value(tensor: tf.Tensor) {
    this.dense = tensor;
    this.packed?.replaceValues(tf.keep(tf.tensor1d(gather(tensor.dataSync(), this.packed.positions))));
  }

  get compressed(): CompressedWeights | null {
    return this.packed;
  }

  /**
   * Keeps only `positions` (increasing flat indices; the value is expected to be zero elsewhere).
   * The dense tensor goes too: kept until the first step, it was a compressed run's largest.
   */
  compress(positions: Uint32Array): void {
    const dense = this.value;
    const values = gather(dense.dataSync(), positions);
    this.packed?.dispose();
    this.packed = CompressedWeights.of(dense.shape, positions, values);
    dense.dispose();
    this.dense = null;
  }

  /**
   * A compressed kernel's new active positions (after a mask update), with each one's index
   * among the previous ones or −1 (CompressedWeights.movedTo): kept ones keep their value, new
   * ones start at 0.
   */
  moveTo(positions: Uint32Array, sources: Int32Array): void {
    if (this.packed === null) throw new Error(`${this.name}: moveTo on a dense kernel`);
    this.replaceCompressed(this.packed.movedTo(positions, sources));
  }

  /** A compressed kernel's weights after a mask update, moved by the caller (see sparse/device-merge.ts moveOnDevice). */
  replaceCompressed(next: CompressedWeights): void {
    const previous = this.packed;
    if (previous === null) throw new Error(`${this.name}: replaceCompressed on a dense kernel`);
    this.packed = next;
    previous.dispose();
    this.dense?.dispose();
    this.dense = null;
  }

  /** A compressed kernel's weights in dense layout, zero at inactive positions, written into `into`. */
  denseArray(into: Float32Array): Float32Array {
    const packed = this.packed;
    if (packed === null) throw new Error(`${this.name}: denseArray of a kernel that is not compressed`);
    return scatter(readFloats(packed.values), packed.positions, into.length, into);
  }

  /** Back to one dense tensor. */
  decompress(): void {
    if (this.packed === null) return;
    this.dense ??= tf.keep(this.packed.toDense());
    this.packed.dispose();
    this.packed = null;
  }

  /** The optimizer's step on a compressed kernel: new active values (owned from now on). */
  setActiveValues(values: tf.Tensor1D): void {
    if (this.packed === null) throw new Error(`${this.name}: setActiveValues on a dense kernel`);
    this.packed.replaceValues(values);
    this.dense?.dispose();
    this.dense = null;
  }
}
