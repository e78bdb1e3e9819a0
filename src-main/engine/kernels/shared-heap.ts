import { definedMemory, importingMemory, type MemoryLimits } from './wasm-binary.js';
import { WebAssemblyApi, type WasmImports, type WasmMemory } from './webassembly-api.js';

/** Limits of the memories made shared here, so that our kernels can import them with matching limits. */
const sharedHeaps = new WeakMap<WasmMemory, MemoryLimits>();

/** The bytes of a BufferSource, or null for anything else (a compiled module). */
function bytesOf(source: unknown): Uint8Array | null {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return null;
}

/**
 * Runs `initialise` (which instantiates tfjs-backend-wasm) with its module's memory made shared.
 *
 * tfjs-wasm's single-threaded build defines its own, unshared memory, and the package turns its
 * threaded build off under Node (tfjs issue #3830), so no other thread could ever read a tensor.
 * While `initialise` runs, WebAssembly.instantiate is wrapped: a module that defines a memory is
 * rewritten to import one instead, and is given a shared memory with the same limits. tfjs's
 * own code runs unchanged on it (plain loads and stores behave the same on shared memory), and
 * kernel threads can then work on tensors in place. Modules without a memory of their own pass
 * through untouched.
 */
export async function withSharedHeap<T>(initialise: () => Promise<T>): Promise<T> {
  const original = WebAssemblyApi.instantiate;
  WebAssemblyApi.instantiate = (source: unknown, imports?: WasmImports): Promise<unknown> => {
    const bytes = bytesOf(source);
    const limits = bytes === null ? null : definedMemory(bytes);
    if (bytes === null || limits === null || limits.maximum === null || imports === undefined) return original(source, imports);
    const shared: MemoryLimits = { ...limits, shared: true };
    const memory = new WebAssemblyApi.Memory({ initial: shared.initial, maximum: limits.maximum, shared: true });
    sharedHeaps.set(memory, shared);
    return original(importingMemory(bytes, shared), { ...imports, env: { ...imports['env'], memory } });
  };
  try {
    return await initialise();
  } finally {
    WebAssemblyApi.instantiate = original;
  }
}

/** The limits of a memory made shared by withSharedHeap, or null for any other memory. */
export function sharedHeapLimits(memory: WasmMemory): MemoryLimits | null {
  return sharedHeaps.get(memory) ?? null;
}
