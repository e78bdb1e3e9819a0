import * as tf from '@tensorflow/tfjs-core';
import { channelIndexArrays } from '../kernels/channel-index.js';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readFloats } from '../kernels/tensor-view.js';
import { int32View, tensorOf } from '../host-arrays.js';
import type { SparseForm } from './kernel-param.js';
import { carryValues, compressedIndex } from './kernels.js';

/** A fully connected kernel's active positions by input row (CSR: row starts [nIn + 1] and columns, in position order). */
export interface RowIndex {
  kind: 'rows';
  rowPtr: tf.Tensor1D;
  cols: tf.Tensor1D;
}

/** A conv kernel's active positions by output channel (see kernels/channel-index.ts), as int32 tensors. */
export interface ChannelIndex {
  kind: 'channels';
  channelPtr: tf.Tensor1D;
  rows: tf.Tensor1D;
  order: tf.Tensor1D;
}

/**
 * The active weights of a fully connected kernel W [nIn, nOut] or a conv kernel [kh, kw, inC,
 * outC]: the flat positions in increasing order, indexed for the kernels as int32 tensors (by
 * row for W, built on the device by kernels/assembly/compressed-index.as; by output channel for
 * a conv kernel), and the values, in position order. Only the values change between mask
 * updates; they are carried to new positions on the device.
 */
export class CompressedWeights {
  readonly index: RowIndex | ChannelIndex;
  values: tf.Tensor1D;

  /** Weights at `positions` (increasing flat indices) with `values` (a host array, which may be scratch). */
  static of(shape: readonly number[], positions: Uint32Array, values: Float32Array): CompressedWeights {
    if (values.length !== positions.length) throw new Error(`compressed weights: ${values.length} values for ${positions.length} positions`);
    return new CompressedWeights([...shape], positions, tensorOf(values) as tf.Tensor1D, null);
  }

  /**
   * Fully connected weights at `positions` with `values` and the row index the device built for
   * them (see sparse/device-merge.ts moveOnDevice), all three owned from now on.
   */
  static indexedByRow(shape: readonly number[], positions: Uint32Array, values: tf.Tensor1D, index: RowIndex): CompressedWeights {
    if (values.size !== positions.length || index.cols.size !== positions.length) {
      throw new Error(`compressed weights: ${values.size} values and ${index.cols.size} indexed columns for ${positions.length} positions`);
    }
    return new CompressedWeights([...shape], positions, values, null, { kind: 'rows', rowPtr: tf.keep(index.rowPtr), cols: tf.keep(index.cols) });
  }

  private constructor(
    /** The dense kernel's shape. */
    readonly shape: number[],
    /** Active flat positions, increasing. */
    readonly positions: Uint32Array,
    values: tf.Tensor1D,
    /** For weights made by movedTo: each position's index among the previous ones, or −1 (int32). */
    private readonly sources: tf.Tensor1D | null,
    index?: RowIndex | ChannelIndex,
  ) {
    this.index = index ?? (shape.length === 4 ? channelIndex(shape, positions) : rowIndex(shape, positions));
    this.values = tf.keep(values);
  }

  /** The row index of a fully connected kernel. */
  byRow(): RowIndex {
    if (this.index.kind !== 'rows') throw new Error(`compressed weights: a [${this.shape.join(', ')}] kernel is indexed by channel, not by row`);
    return this.index;
  }

  /** The channel index of a conv kernel. */
  byChannel(): ChannelIndex {
    if (this.index.kind !== 'channels') throw new Error(`compressed weights: a [${this.shape.join(', ')}] kernel is indexed by row, not by channel`);
    return this.index;
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
  toDense(): tf.Tensor {
    return tf.tensor(scatter(readFloats(this.values), this.positions, tf.util.sizeFromShape(this.shape)), this.shape);
  }

  /** Takes ownership of `values` (one per active position). */
  replaceValues(values: tf.Tensor1D): void {
    if (values.size !== this.positions.length) throw new Error(`compressed weights: ${values.size} values for ${this.positions.length} positions`);
    this.values.dispose();
    this.values = values;
  }

  dispose(): void {
    const index = this.index.kind === 'rows' ? [this.index.rowPtr, this.index.cols] : [this.index.channelPtr, this.index.rows, this.index.order];
    tf.dispose([...index, this.values, ...(this.sources ? [this.sources] : [])]);
  }
}

function rowIndex(shape: readonly number[], positions: Uint32Array): RowIndex {
  if (shape.length !== 2) throw new Error(`compressed weights: a [${shape.join(', ')}] kernel is neither fully connected nor conv`);
  const onDevice = tensorOf(int32View(positions)) as tf.Tensor1D;
  try {
    const { rowPtr, cols } = compressedIndex(onDevice, shape[0]!, shape[1]!);
    return { kind: 'rows', rowPtr: tf.keep(rowPtr), cols: tf.keep(cols) };
  } finally {
    onDevice.dispose();
  }
}

function channelIndex(shape: readonly number[], positions: Uint32Array): ChannelIndex {
  const { channelPtr, rows, order } = channelIndexArrays(shape[3]!, positions);
  const kept = (values: Int32Array): tf.Tensor1D => tf.keep(tensorOf(values) as tf.Tensor1D);
  return { kind: 'channels', channelPtr: kept(channelPtr), rows: kept(rows), order: kept(order) };
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
 * Densest layer that trains on compressed weights, measured on wasm (batch 128, convolutions 64)
 * against the dense layer's forward and both gradients:
 * - rows (fully connected), 784×300 on one thread: 3.8 ms at density 0.1, 8 ms at 0.3 and 14 ms
 *   at 0.5, against 14 ms dense; 0.4 keeps a margin below the break-even.
 * - channels (convolutions), on two threads: a 3×3 'same' convolution of 32×32 pixels, 16 to 32
 *   channels, takes 0.69× the dense time at 0.3, 0.73× at 0.4 and 1.03× at 0.5; of 16×16
 *   pixels, 64 to 64 channels, 1.02× at 0.3 and 1.25× at 0.5; LeNet-5's second (5×5 'valid',
 *   20 to 50 channels) 0.73× at 0.3 and 0.97× at 0.4. Wide layers gain least; 0.3 is their
 *   break-even.
 * - winograd: convolutions whose dense passes run by Winograd's F(2×2, 3×3) (runsWinograd),
 *   1.5–1.9× faster than before: at 0.2, 0.63× (32×32 pixels, 16 to 32 channels), 0.68× (32 to
 *   32), 0.76× (16×16, 64 to 64) and 1.06× (8×8, 128 to 128); at 0.3, 0.89–1.68×.
 */
export const MAX_COMPRESSED_DENSITY = { rows: 0.4, channels: 0.3, winograd: 0.2 } as const;

let compression = true;

/**
 * Whether sparse layers may train on compressed weights; off, every layer trains on masked dense
 * weights (the bench measures mask overhead that way, and tests compare the two paths).
 */
export function setCompression(enabled: boolean): void {
  compression = enabled;
}

/**
 * Whether a masked kernel of `size` weights with `active` of them active should train compressed
 * on the active backend (see KernelParam). A mask at exactly the limit's sparsity rounds its active
 * count up (e.g. 461 of 2304 at 80%), so the limit is in whole weights: ⌈limit · size⌉ (less a
 * rounding error of the product, so that 0.3 · 10 stays 3).
 */
export function shouldCompress(kernel: { sparseForm: SparseForm; maxCompressedDensity: number }, active: number, size: number): boolean {
  if (!compression || !(active <= Math.ceil(kernel.maxCompressedDensity * size - 1e-6))) return false;
  return hasKernel(kernel.sparseForm === 'rows' ? KERNEL_NAMES.compressedDense : KERNEL_NAMES.sparseConv);
}
