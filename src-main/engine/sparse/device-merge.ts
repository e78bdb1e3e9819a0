import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { readInts } from '../kernels/tensor-view.js';
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
  const ints = (a: Uint32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);
  const outputs = tf.engine().runKernel(KERNEL_NAMES.mergeActive, {}, { active: ints(active), dropped: ints(dropped), grown: ints(grown) } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  try {
    const [positions, sources] = outputs.map(readInts) as [Int32Array, Int32Array];
    const merged = mergedArrays(positions.length, into);
    merged.positions.set(positions);
    merged.sources.set(sources);
    return merged;
  } finally {
    tf.dispose(outputs);
  }
}
