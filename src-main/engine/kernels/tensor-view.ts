import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { sharedHeapLimits } from './shared-heap.js';
import { isWasmMemory } from './webassembly-api.js';

/**
 * The values of a float32 tensor to read on the host, without a copy where the backend allows:
 * on a wasm backend whose heap is shared memory (which never detaches when it grows) this is a
 * view of the tensor in place, valid while the tensor lives and not to be written. Elsewhere it
 * is dataSync's copy. Mask updates read whole gradients and weights this way: a fresh copy of a
 * large tensor costs a page fault per 4 KB on first touch.
 */
export function readFloats(t: tf.Tensor): Float32Array {
  return ((t.dtype === 'float32' ? heapView(t) : null) ?? t.dataSync()) as Float32Array;
}

/** The same for an int32 tensor. */
export function readInts(t: tf.Tensor): Int32Array {
  return ((t.dtype === 'int32' ? heapView(t) : null) ?? t.dataSync()) as Int32Array;
}

function heapView(t: tf.Tensor): tf.TypedArray | null {
  const backend = tf.backend();
  if (!(backend instanceof BackendWasm)) return null;
  const memory = (backend.wasm as { asm?: { memory?: unknown } }).asm?.memory;
  return isWasmMemory(memory) && sharedHeapLimits(memory) !== null ? backend.typedArrayFromHeap(t) : null;
}
