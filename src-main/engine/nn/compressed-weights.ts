import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readFloats } from '../kernels/tensor-view.js';
import { scratchInt32, tensorOf } from '../host-arrays.js';

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
    /** Their values (uploaded; the array may be scratch). */
    values: Float32Array,
  ) {
    const [nIn, nOut] = shape;
    const nnz = positions.length;
    if (values.length !== nnz) throw new Error(`compressed weights: ${values.length} values for ${nnz} positions`);
    const rowPtr = scratchInt32('compressed.rowPtr', nIn + 1).fill(0);
    const colPtr = scratchInt32('compressed.colPtr', nOut + 1).fill(0);
    const cols = scratchInt32('compressed.cols', nnz);
    for (let k = 0, row = 0; k < nnz; k++) {
      const p = positions[k]!;
      while (p >= (row + 1) * nOut) row++;
      rowPtr[row + 1]!++;
      const col = p - row * nOut;
      cols[k] = col;
      colPtr[col + 1]!++;
    }
    for (let i = 0; i < nIn; i++) rowPtr[i + 1]! += rowPtr[i]!;
    for (let j = 0; j < nOut; j++) colPtr[j + 1]! += colPtr[j]!;
    // Positions are row-major, so each column receives its rows in increasing order.
    const next = scratchInt32('compressed.next', nOut);
    next.set(colPtr.subarray(0, nOut));
    const colRows = scratchInt32('compressed.colRows', nnz);
    const colOrder = scratchInt32('compressed.colOrder', nnz);
    for (let i = 0; i < nIn; i++) {
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
        const slot = next[cols[k]!]!++;
        colRows[slot] = i;
        colOrder[slot] = k;
      }
    }
    this.rowPtr = tf.keep(tensorOf(rowPtr)) as tf.Tensor1D;
    this.cols = tf.keep(tensorOf(cols)) as tf.Tensor1D;
    this.colPtr = tf.keep(tensorOf(colPtr)) as tf.Tensor1D;
    this.colRows = tf.keep(tensorOf(colRows)) as tf.Tensor1D;
    this.colOrder = tf.keep(tensorOf(colOrder)) as tf.Tensor1D;
    this.values = tf.keep(tensorOf(values)) as tf.Tensor1D;
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
export function remap(values: Float32Array, from: Uint32Array, to: Uint32Array, into: Float32Array): Float32Array {
  const out = into;
  let j = 0;
  for (let k = 0; k < to.length; k++) {
    const p = to[k]!;
    while (j < from.length && from[j]! < p) j++;
    out[k] = j < from.length && from[j] === p ? values[j]! : 0;
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
  return shape.length === 2 && density <= maxCompressedDensity && hasKernel(KERNEL_NAMES.compressedDense);
}
