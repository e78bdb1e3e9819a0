import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SPARSE_KERNELS_WASM } from './compiled.js';

/** The exports of assembly/sparse.as; every pointer is a byte offset into tfjs-wasm's heap. */
export interface SparseKernels {
  csrMatMul(rowPtr: number, cols: number, vals: number, nIn: number, xT: number, batch: number, yT: number, nOut: number): void;
  csrMatMulTransposed(rowPtr: number, cols: number, vals: number, nIn: number, dyT: number, batch: number, dxT: number): void;
  csrSampledGrad(rowPtr: number, cols: number, nIn: number, xT: number, dyT: number, batch: number, grad: number): void;
  sumRows(x: number, rows: number, cols: number, out: number): void;
}

const EXPORTS = ['csrMatMul', 'csrMatMulTransposed', 'csrSampledGrad', 'sumRows'] as const;

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => object;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const instances = new WeakMap<BackendWasm, SparseKernels>();
let compiled: object | null = null;

/**
 * Our kernels, instantiated on the memory of this tfjs-wasm backend (once per backend: a new
 * backend has a new heap). They read and write tensors in place.
 */
export function sparseKernels(backend: BackendWasm): SparseKernels {
  const existing = instances.get(backend);
  if (existing) return existing;
  const memory = (backend.wasm as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) {
    throw new Error('sparse kernels: tfjs-backend-wasm no longer exports its memory as Module.asm.memory; this version is not supported');
  }
  compiled ??= new wasmApi.Module(Buffer.from(SPARSE_KERNELS_WASM, 'base64'));
  const { exports } = new wasmApi.Instance(compiled, { env: { memory } });
  for (const name of EXPORTS) {
    if (typeof exports[name] !== 'function') throw new Error(`sparse kernels: the compiled module lacks ${name}; rebuild it with build-kernels.mjs`);
  }
  const kernels = exports as unknown as SparseKernels;
  instances.set(backend, kernels);
  return kernels;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, dataId: object): number {
  const data = backend.dataIdMap.get(dataId) as { memoryOffset?: unknown } | undefined;
  if (typeof data?.memoryOffset !== 'number') throw new Error('sparse kernels: a tensor is not on the wasm heap');
  return data.memoryOffset;
}
