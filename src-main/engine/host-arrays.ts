import * as tf from '@tensorflow/tfjs-core';

/*
 * Reusable host arrays for data that lives only until it is uploaded. A fresh large typed array
 * costs a page fault per 4 KB the first time it is written (about 10 µs each on the virtual
 * machines measured here), which made a mask update of LeNet-300-100 several times slower than
 * its arithmetic.
 */

const int32Pool = new Map<string, Int32Array>();
const uint32Pool = new Map<string, Uint32Array>();
const float32Pool = new Map<string, Float32Array>();

function take<T extends Int32Array | Uint32Array | Float32Array>(pool: Map<string, T>, make: (n: number) => T, slot: string, length: number): T {
  let array = pool.get(slot);
  if (array === undefined || array.length < length) {
    array = make(Math.max(length, Math.ceil((array?.length ?? 0) * 1.5)));
    pool.set(slot, array);
  }
  return array.subarray(0, length) as T;
}

/** `length` int32 values of the pool's array named `slot`; their old contents are undefined. */
export function scratchInt32(slot: string, length: number): Int32Array {
  return take(int32Pool, (n) => new Int32Array(n), slot, length);
}

/** `length` uint32 values of the pool's array named `slot`; their old contents are undefined. */
export function scratchUint32(slot: string, length: number): Uint32Array {
  return take(uint32Pool, (n) => new Uint32Array(n), slot, length);
}

/** `length` float32 values of the pool's array named `slot`; their old contents are undefined. */
export function scratchFloat32(slot: string, length: number): Float32Array {
  return take(float32Pool, (n) => new Float32Array(n), slot, length);
}

/** The same 32-bit words read as int32 (positions are below 2³¹), without a copy. */
export function int32View(a: Uint32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * A tensor of `values` (1-D unless `shape` says otherwise) that owns its data: the wasm backend
 * copies into its heap, but the cpu backend keeps the very array it is given, so scratch arrays
 * are copied for it.
 */
export function tensorOf(values: Int32Array | Float32Array, shape: number[] = [values.length]): tf.Tensor {
  const dtype = values instanceof Int32Array ? 'int32' : 'float32';
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), shape, dtype);
}
