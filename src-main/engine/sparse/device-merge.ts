import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readInts } from '../kernels/tensor-view.js';
import { CompressedWeights } from '../nn/compressed-weights.js';
import { mergeActive, type PositionLists } from '../nn/kernels.js';
import { mergedArrays, type MergedActive } from './dropgrow.js';

/** Whether the active backend merges active positions itself (see mergeOnDevice). */
export function mergesOnDevice(): boolean {
  return hasKernel(KERNEL_NAMES.mergeActive);
}

/**
 * mergeActive's answer (dropgrow.ts), computed by the backend's kernel: the same lists, at the
 * same speed from a run's first update on (the host's loop, run twice an update, deoptimised
 * again and again in a run's first updates and took milliseconds there).
 */
export function mergeOnDevice(active: Uint32Array, dropped: Uint32Array, grown: Uint32Array, into?: Uint32Array): MergedActive {
  const outputs = mergeActive({ active, dropped, grown });
  try {
    return mergedFrom(outputs[0]!, outputs[1]!, into);
  } finally {
    tf.dispose(outputs);
  }
}

/** The host lists of a merge's positions and sources (see mergedArrays for `into`). */
export function mergedFrom(positions: tf.Tensor, sources: tf.Tensor, into?: Uint32Array): MergedActive {
  const merged = mergedArrays(positions.size, into);
  merged.positions.set(readInts(positions));
  merged.sources.set(readInts(sources));
  return merged;
}

/** A compressed fully connected kernel after a mask update: its lists, and its weights and momentum at the new positions. */
export interface MovedKernel {
  merged: MergedActive;
  weights: CompressedWeights;
  /** The momentum carried to the new positions (null when there was none). */
  momentum: tf.Tensor1D | null;
}

/**
 * A compressed fully connected kernel's whole move in one kernel call: its active positions
 * merged, its weights and compact momentum carried to the new ones (kept ones keep theirs, new
 * ones start at 0) and the new row index built, on the device. Separately, these were a merge,
 * two carries and an index, each a kernel call, with the sources and positions read to the host
 * and written back between them.
 */
export function moveOnDevice(weights: CompressedWeights, momentum: tf.Tensor1D | null, lists: PositionLists, into?: Uint32Array): MovedKernel {
  const [nIn, nOut] = weights.shape as [number, number];
  const outputs = mergeActive(lists, { values: weights.values, ...(momentum ? { momentum } : {}), rows: [nIn, nOut] });
  const [positions, sources, values, ...rest] = outputs as tf.Tensor1D[];
  const carried = momentum ? rest.shift()! : null;
  const [rowPtr, cols] = rest as [tf.Tensor1D, tf.Tensor1D];
  try {
    const merged = mergedFrom(positions!, sources!, into);
    return { merged, weights: CompressedWeights.indexedByRow(weights.shape, merged.positions, values!, { kind: 'rows', rowPtr, cols }), momentum: carried };
  } catch (error) {
    tf.dispose(outputs);
    throw error;
  } finally {
    tf.dispose([positions!, sources!]);
  }
}
