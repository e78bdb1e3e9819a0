import * as tf from '@tensorflow/tfjs-core';
import { scratchUint32 } from '../host-arrays.js';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readInts } from '../kernels/tensor-view.js';

/** Whether the active backend ranks magnitudes itself (see selectMagnitudes). */
export function ranksOnDevice(): boolean {
  return hasKernel(KERNEL_NAMES.selectMagnitudes);
}

/** The candidates: positions where the mask is `want` (`count` of them), or every position. */
export type DeviceCandidates = { mask: Uint8Array; want: 0 | 1; count: number } | 'all';

/**
 * The k candidates of largest (or smallest) |values|, in increasing position order, ties to the
 * first positions: largestK's (smallestK's) answer, computed where `values` already lives. The
 * result is a reusable array, valid until the next call with the same `slot`.
 */
export function selectMagnitudes(values: tf.Tensor, candidates: DeviceCandidates, k: number, largest: boolean, slot: string): Uint32Array {
  const mask = candidates === 'all' ? null : tf.tensor(candidates.mask, values.shape, 'bool');
  const attrs = { want: candidates === 'all' ? 0 : candidates.want, count: candidates === 'all' ? values.size : candidates.count, k, largest };
  const chosen = tf.engine().runKernel(KERNEL_NAMES.selectMagnitudes, mask ? { values, mask } : { values }, attrs) as tf.Tensor;
  const out = scratchUint32(slot, chosen.size);
  out.set(readInts(chosen));
  tf.dispose(mask ? [mask, chosen] : [chosen]);
  return out;
}
