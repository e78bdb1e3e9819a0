import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readFloats } from '../kernels/tensor-view.js';
import { tensorOf } from '../host-arrays.js';
import { carryValues, compressedIndex } from './kernels.js';

/**
 * The active weights of a fully connected kernel W [nIn, nOut]: the flat positions in increasing
 * order (row-major, so each row's columns come together), indexed by row for the kernels as int32
 * tensors (CSR: row starts and columns, in position order), and the values, in position order.
 * Only the values change between mask updates. The index is built, and values are carried to new
 * positions, on the device (kernels/assembly/compressed-index.as).
 */
export class CompressedWeights {
  readonly rowPtr: tf.Tensor1D;
  readonly cols: tf.Tensor1D;
  values: tf.Tensor1D;

  /** Weights at `positions` (increasing flat indices) with `values` (a host array, which may be scratch). */
  static of(shape: [number, number], positions: Uint32Array, values: Float32Array): CompressedWeights {
    if (values.length !== positions.length) throw new Error(`compressed weights: ${values.length} values for ${positions.length} positions`);
    return new CompressedWeights(shape, positions, tensorOf(values) as tf.Tensor1D, null);
  }

  private constructor(
    readonly shape: [number, number],
    /** Active flat positions, increasing. */
    readonly positions: Uint32Array,
    values: tf.Tensor1D,
    /** For weights made by movedTo: each position's index among the previous ones, or −1 (int32). */
    private readonly sources: tf.Tensor1D | null,
  ) {
    const onDevice = tensorOf(new Int32Array(positions.buffer, positions.byteOffset, positions.length)) as tf.Tensor1D;
    try {
      const index = compressedIndex(onDevice, shape[0], shape[1]);
      this.rowPtr = tf.keep(index.rowPtr);
      this.cols = tf.keep(index.cols);
    } finally {
      onDevice.dispose();
    }
    this.values = tf.keep(values);
  }

  /**
   * These weights at new active positions; `sources` gives each one's index among the current
   * positions, or −1 for a new one (see sourcesOf). Kept ones keep their value, new ones start at 0.
   */
  movedTo(positions: Uint32Array, sources: Int32Array): CompressedWeights {
    if (sources.length !== positions.length) throw new Error(`compressed weights: ${sources.length} sources for ${positions.length} positions`);
    const onDevice = tf.keep(tensorOf(sources)) as tf.Tensor1D;
    return new CompressedWeights(this.shape, positions, carryValues(this.values, onDevice), onDevice);
  }

  /**
   * Values kept one per active position of the weights these were moved from (compact momentum),
   * carried to these positions the way movedTo carried the weights.
   */
  carried(values: tf.Tensor1D): tf.Tensor1D {
    if (this.sources === null) throw new Error('compressed weights: carried() on weights that were not moved');
    return carryValues(values, this.sources);
  }

  /** The dense kernel, zero at inactive positions. */
  toDense(): tf.Tensor2D {
    return tf.tensor2d(scatter(readFloats(this.values), this.positions, this.shape[0] * this.shape[1]), this.shape);
  }

  /** Takes ownership of `values` (one per active position). */
  replaceValues(values: tf.Tensor1D): void {
    if (values.size !== this.positions.length) throw new Error(`compressed weights: ${values.size} values for ${this.positions.length} positions`);
    this.values.dispose();
    this.values = values;
  }

  dispose(): void {
    tf.dispose([this.rowPtr, this.cols, this.values, ...(this.sources ? [this.sources] : [])]);
  }
}

/** A dense array of `size` zeros with `values` at `positions` (written into `into` when given). */
export function scatter(values: Float32Array, positions: Uint32Array, size: number, into?: Float32Array): Float32Array {
  const dense = into ?? new Float32Array(size);
  if (into) into.fill(0);
  for (let k = 0; k < positions.length; k++) dense[positions[k]!] = values[k]!;
  return dense;
}

/**
 * Each position of `to`'s index in `from` (both increasing), or −1 where it is not there: the
 * sources of CompressedWeights.movedTo for a mask change that did not list them (a pruning step).
 */
export function sourcesOf(from: Uint32Array, to: Uint32Array, into: Int32Array): Int32Array {
  let j = 0;
  for (let k = 0; k < to.length; k++) {
    const p = to[k]!;
    while (j < from.length && from[j]! < p) j++;
    into[k] = j < from.length && from[j] === p ? j : -1;
  }
  return into;
}

/** The entries of `dense` at `positions`. */
export function gather(dense: ArrayLike<number>, positions: Uint32Array): Float32Array {
  const out = new Float32Array(positions.length);
  for (let k = 0; k < positions.length; k++) out[k] = dense[positions[k]!]!;
  return out;
}

/**
 * Densest layer that trains on compressed weights. Measured on wasm (784×300, batch 128, one
 * thread): forward + weight gradient + input gradient take 3.8 ms at density 0.1, 8 ms at 0.3 and
 * 14 ms at 0.5, against 14 ms dense; 0.4 keeps a margin below the break-even.
 */
export const DEFAULT_MAX_COMPRESSED_DENSITY = 0.4;

let maxCompressedDensity = DEFAULT_MAX_COMPRESSED_DENSITY;

/**
 * Sets the density at or below which fully connected layers train on compressed weights; 0
 * keeps every layer on masked dense weights (the bench measures mask overhead that way, and
 * tests compare the two paths).
 */
export function setMaxCompressedDensity(density: number): void {
  if (!(density >= 0 && density <= 1)) throw new RangeError(`max compressed density ${density} is not in [0, 1]`);
  maxCompressedDensity = density;
}

/** Whether a masked kernel of this shape and density should train compressed on the active backend. */
export function shouldCompress(shape: readonly number[], density: number): boolean {
  return shape.length === 2 && density <= maxCompressedDensity && hasKernel(KERNEL_NAMES.compressedDense);
}
