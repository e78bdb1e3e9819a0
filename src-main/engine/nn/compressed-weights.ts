import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readFloats } from '../kernels/tensor-view.js';

/**
 * The active weights of a fully connected kernel W [nIn, nOut]: the flat positions in increasing
 * order (row-major, so each row's columns come together), indexed two ways for the kernels as
 * int32 tensors: by row (CSR: row starts and columns, in position order) and by column (column
 * starts, each entry's row and its index in position order), and the values, in position order.
 * Only the values change between mask updates.
 */
export class CompressedWeights {
  readonly rowPtr: tf.Tensor1D;
  readonly cols: tf.Tensor1D;
  readonly colPtr: tf.Tensor1D;
  readonly colRows: tf.Tensor1D;
  readonly colOrder: tf.Tensor1D;
  values: tf.Tensor1D;

  constructor(
    readonly shape: [number, number],
    /** Active flat positions, increasing. */
    readonly positions: Uint32Array,
    values: Float32Array,
  ) {
    const [nIn, nOut] = shape;
    if (values.length !== positions.length) throw new Error(`compressed weights: ${values.length} values for ${positions.length} positions`);
    const rowPtr = new Int32Array(nIn + 1);
    const colPtr = new Int32Array(nOut + 1);
    const cols = new Int32Array(positions.length);
    positions.forEach((p, k) => {
      rowPtr[Math.floor(p / nOut) + 1]!++;
      colPtr[(cols[k] = p % nOut) + 1]!++;
    });
    for (let i = 0; i < nIn; i++) rowPtr[i + 1]! += rowPtr[i]!;
    for (let j = 0; j < nOut; j++) colPtr[j + 1]! += colPtr[j]!;
    // Positions are row-major, so each column receives its rows in increasing order.
    const next = colPtr.slice(0, nOut);
    const colRows = new Int32Array(positions.length);
    const colOrder = new Int32Array(positions.length);
    positions.forEach((p, k) => {
      const slot = next[cols[k]!]!++;
      colRows[slot] = Math.floor(p / nOut);
      colOrder[slot] = k;
    });
    this.rowPtr = tf.keep(tf.tensor1d(rowPtr, 'int32'));
    this.cols = tf.keep(tf.tensor1d(cols, 'int32'));
    this.colPtr = tf.keep(tf.tensor1d(colPtr, 'int32'));
    this.colRows = tf.keep(tf.tensor1d(colRows, 'int32'));
    this.colOrder = tf.keep(tf.tensor1d(colOrder, 'int32'));
    this.values = tf.keep(tf.tensor1d(values));
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
    tf.dispose([this.rowPtr, this.cols, this.colPtr, this.colRows, this.colOrder, this.values]);
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
 * Values at `to` taken from values at `from` (both increasing): a position in both keeps its
 * value, a new one gets 0. The same as masking the dense kernel with the new mask, since the
 * dense kernel is zero wherever the old mask was.
 */
export function remap(values: Float32Array, from: Uint32Array, to: Uint32Array): Float32Array {
  const out = new Float32Array(to.length);
  let j = 0;
  for (let k = 0; k < to.length; k++) {
    const p = to[k]!;
    while (j < from.length && from[j]! < p) j++;
    if (j < from.length && from[j] === p) out[k] = values[j]!;
  }
  return out;
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
  return shape.length === 2 && density <= maxCompressedDensity && hasKernel(KERNEL_NAMES.compressedMatMul);
}
