import { availableParallelism } from 'node:os';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNELS_WASM } from './compiled.js';
import { KernelThreads, MAX_PINNED_PARTS } from './kernel-threads.js';
import { sharedHeapLimits } from './shared-heap.js';
import { importingMemory } from './wasm-binary.js';
import { isWasmMemory, WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly-api.js';

/** The kernels of assembly/index.as; each takes (…, part, parts) last. */
export const KERNELS = [
  'matMul',
  'conv2d',
  'conv2dInputGrad',
  'conv2dFilterGrad',
  'conv2dFilterGradSum',
  'compressedMatMul',
  'compressedGrads',
  'sumPartials',
  'sumRows',
  'sumChunkRows',
  'transpose2d',
  'sgdSteps',
  'batchNormMoments',
  'batchNormForward',
  'batchNormGradMoments',
  'batchNormGrad',
  'relu',
  'reluGrad',
  'maxPool',
  'maxPoolGrad',
  'dropout',
  'assembleBatch',
  'sparseConvForward',
  'sparseConvBackward',
  'denseConvForward',
  'denseConvInputGrad',
  'denseConvFilterGrad',
] as const;
export type KernelName = (typeof KERNELS)[number];

/** Kernels that run whole on the calling thread (small work, or a result to return). */
const SERIAL_KERNELS = ['softmaxCrossEntropy', 'selectMagnitudes', 'compressedIndex', 'carryValues', 'mergeActive', 'sparseConvPrepare'] as const;
export type SerialKernelName = (typeof SERIAL_KERNELS)[number];

/** Exports that give the scratch bytes one part of a kernel needs (from its argument struct, or a count). */
const SCRATCH_SIZERS = [
  'matMulScratchBytes',
  'conv2dScratchBytes',
  'conv2dInputGradScratchBytes',
  'conv2dFilterGradScratchBytes',
  'normalizationScratchBytes',
  'selectMagnitudesScratchBytes',
  'sparseConvScratchBytes',
] as const;
export type ScratchSizer = (typeof SCRATCH_SIZERS)[number];

/**
 * Work is counted in FLOPs of our dense product, which one core runs at about 50 per ns here.
 * Below this much work (about 5 µs) a part is not worth handing to another thread: a hand-off to
 * a polling thread costs about 1 µs (measured).
 */
const MIN_WORK_PER_PART = 2.5e5;
/**
 * The work of one element (one window tap for pooling) of the other kernels, in dense-product FLOPs: the dense product's speed over each kernel's, both on
 * one core (2-core EPYC VM; a kernel counted as cheaper than it is would run whole on one thread).
 */
export const WORK_PER_ELEMENT = {
  transpose: 8,
  sumRows: 8,
  relu: 8,
  reluGrad: 8,
  batchNormPass: 8,
  sgdSteps: 24,
  maxPool: 40,
  dropout: 50,
  maxPoolGrad: 70,
} as const;
/** Parts per thread: with more parts than threads, a thread that starts late or runs slow takes fewer. */
const PARTS_PER_THREAD = 8;
/**
 * Parts per thread for the products and convolutions, whose every part packs a whole operand
 * (the filter, or B): fewer parts, less packing done twice.
 */
export const PACKING_PARTS_PER_THREAD = 2;
/**
 * Parts of every reduction over a long axis (the filter gradient's pixels, BatchNorm's rows):
 * fixed, so that the partial sums, and so the numbers, do not depend on how many threads run them.
 */
export const REDUCTION_PARTS = 8;
/** Examples per chunk of a batch split by runPinned (BATCH_CHUNK in assembly/memory.as). */
export const BATCH_CHUNK = 32;
/** transpose2d's modes (assembly/layout.as). */
export const TRANSPOSE_MODE = {
  /** Plain matrices, run unpinned. */
  plain: 0,
  /** [batch, n] to [n, batch] stored by batch chunk (assembly/sparse.as), run pinned. */
  toChunks: 1,
  /** [n, batch] stored by batch chunk to [batch, n], run pinned. */
  fromChunks: 2,
} as const;
/** Bytes reserved for one kernel's argument struct. */
const ARGS_BYTES = 256;

let compiled: WasmModule | null = null;

/** Emscripten's allocator, which tfjs-wasm exports but does not declare. */
interface HeapAllocator {
  _malloc(bytes: number): number;
  _free(at: number): void;
}

/** Threads by default: one per core, up to 8 (each thread polls a while after every call). */
export function defaultKernelThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Threads the kernels may use: RIGL_LAB_THREADS if set, else defaultKernelThreads(). */
export function kernelThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['RIGL_LAB_THREADS'];
  if (value === undefined || value === '') return defaultKernelThreads();
  const count = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= 64)) {
    throw new Error(`RIGL_LAB_THREADS must be a whole number from 1 to 64 (threads for the wasm kernels), got "${value}"`);
  }
  return count;
}

/**
 * Our kernel module instantiated on the heap of one tfjs-wasm backend, with the worker threads
 * that share that heap, and the scratch memory and argument block the kernels use there.
 */
export class KernelRuntime {
  private scratchBase = 0;
  private scratchBytesHeld = 0;
  readonly argsAt: number;

  private constructor(
    private readonly backend: BackendWasm,
    private readonly memory: WasmMemory,
    private readonly exports: Record<string, (...args: number[]) => number>,
    private readonly threads: KernelThreads | null,
  ) {
    this.argsAt = this.malloc(ARGS_BYTES);
  }

  /**
   * Instantiates the kernels on `backend`'s heap, and on a heap made shared by withSharedHeap
   * starts `threads − 1` worker threads too (one thread otherwise).
   */
  static async start(backend: BackendWasm, threads: number): Promise<KernelRuntime> {
    const memory = (backend.wasm as { asm?: { memory?: unknown } }).asm?.memory;
    if (!isWasmMemory(memory)) {
      throw new Error('wasm kernels: tfjs-backend-wasm no longer exports its memory as Module.asm.memory; this version is not supported');
    }
    const shared = sharedHeapLimits(memory);
    compiled ??= new WebAssemblyApi.Module(Buffer.from(KERNELS_WASM, 'base64'));
    const module = shared === null ? compiled : new WebAssemblyApi.Module(importingMemory(Buffer.from(KERNELS_WASM, 'base64'), { ...shared, initial: 0 }));
    const instance = new WebAssemblyApi.Instance(module, { env: { memory } });
    for (const name of [...KERNELS, ...SERIAL_KERNELS, ...SCRATCH_SIZERS]) {
      if (typeof instance.exports[name] !== 'function') throw new Error(`wasm kernels: the compiled module lacks ${name}; rebuild it with build-kernels.mjs`);
    }
    const pool = shared !== null && threads > 1 ? await KernelThreads.start(module, memory, KERNELS, threads - 1) : null;
    return new KernelRuntime(backend, memory, instance.exports as Record<string, (...args: number[]) => number>, pool);
  }

  /** Threads a call can use. */
  get threadCount(): number {
    return this.threads?.size ?? 1;
  }

  /**
   * Parts to split `work` (dense-product FLOPs, see WORK_PER_ELEMENT) into: a few per thread,
   * unless the work is too small to share.
   */
  partsFor(work: number, perThread = PARTS_PER_THREAD): number {
    if (this.threadCount === 1) return 1;
    return Math.max(1, Math.min(this.threadCount * perThread, Math.floor(work / MIN_WORK_PER_PART)));
  }

  /**
   * Parts of a kernel that splits a batch into chunks of BATCH_CHUNK examples (see
   * assembly/memory.as chunkStart), run with runPinned: one per chunk, or a single part on one
   * thread (or for batches of more chunks than a pinned call takes). Products and transposes give
   * the same numbers either way; the reductions over the batch sum the chunks in the same order
   * either way.
   */
  batchParts(batch: number): number {
    const chunks = Math.ceil(batch / BATCH_CHUNK);
    return this.threadCount === 1 || chunks > MAX_PINNED_PARTS ? 1 : chunks;
  }

  /**
   * Runs `kernel(...args, part, parts)` for every part, spread over the threads. Parts may
   * outnumber threads: a reduction split into a fixed number of parts gives the same sums
   * whatever the number of threads.
   */
  run(kernel: KernelName, args: readonly number[], parts: number): void {
    this.runOn(kernel, args, parts, false);
  }

  /**
   * Runs `kernel(...args, part, parts)` with part p on thread p mod threadCount, for the chain
   * of kernels through which one batch's activations pass (each chunk then stays in one core's
   * cache; shared, the same sparse products ran slower than on one thread, measured).
   */
  runPinned(kernel: KernelName, args: readonly number[], parts: number): void {
    this.runOn(kernel, args, parts, true);
  }

  private runOn(kernel: KernelName, args: readonly number[], parts: number, pinned: boolean): void {
    const fn = this.exports[kernel]!;
    const local = (part: number): void => void fn(...args, part, parts);
    if (this.threads === null) for (let part = 0; part < parts; part++) local(part);
    else this.threads.run(KERNELS.indexOf(kernel), args, parts, local, pinned);
  }

  /** Runs a serial kernel on this thread and returns what it returns. */
  call(kernel: SerialKernelName, args: readonly number[]): number {
    return this.exports[kernel]!(...args);
  }

  /** Writes `words` (as i32) to the heap at byte offset `at`. */
  write(at: number, words: ArrayLike<number>): void {
    new Int32Array(this.memory.buffer, at, words.length).set(words);
  }

  /** Writes an argument struct (i32 fields in order) to the argument block and returns its address. */
  writeArgs(fields: readonly number[]): number {
    if (fields.length * 4 > ARGS_BYTES) throw new Error(`wasm kernels: ${fields.length} argument fields do not fit ${ARGS_BYTES} bytes`);
    this.write(this.argsAt, fields);
    return this.argsAt;
  }

  /** Overwrites one i32 field of the argument struct. */
  setArg(field: number, value: number): void {
    new Int32Array(this.memory.buffer, this.argsAt + field * 4, 1)[0] = value;
  }

  /** What `sizer` says one part needs, for its argument (the struct at argsAt, or a count). */
  scratchBytes(sizer: ScratchSizer, arg: number = this.argsAt): number {
    return this.exports[sizer]!(arg);
  }

  /**
   * Scratch for `parts` parts of `bytesPerPart` each: the base address and the (aligned) bytes of
   * each part. Kept between calls and grown when too small.
   */
  scratch(bytesPerPart: number, parts: number): { base: number; perPart: number } {
    const perPart = Math.ceil(bytesPerPart / 64) * 64;
    const needed = perPart * parts + 64;
    if (needed > this.scratchBytesHeld) {
      if (this.scratchBytesHeld > 0) (this.backend.wasm as unknown as HeapAllocator)._free(this.scratchBase);
      this.scratchBytesHeld = Math.max(needed, Math.ceil(this.scratchBytesHeld * 1.5));
      this.scratchBase = this.malloc(this.scratchBytesHeld);
    }
    return { base: Math.ceil(this.scratchBase / 64) * 64, perPart };
  }

  /** Byte offset of a tensor's data in the heap. */
  offset(dataId: object): number {
    const data = this.backend.dataIdMap.get(dataId) as { memoryOffset?: unknown } | undefined;
    if (typeof data?.memoryOffset !== 'number') throw new Error('wasm kernels: a tensor is not on the wasm heap');
    return data.memoryOffset;
  }

  private malloc(bytes: number): number {
    const at = (this.backend.wasm as unknown as HeapAllocator)._malloc(bytes) >>> 0;
    if (at === 0) throw new Error(`wasm kernels: could not allocate ${bytes} bytes of scratch on the wasm heap`);
    return at;
  }
}

const runtimes = new WeakMap<BackendWasm, KernelRuntime>();

/** Starts the runtime of `backend` once (a new backend has a new heap). */
export async function startKernelRuntime(backend: BackendWasm, threads: number): Promise<KernelRuntime> {
  const existing = runtimes.get(backend);
  if (existing) return existing;
  const runtime = await KernelRuntime.start(backend, threads);
  runtimes.set(backend, runtime);
  return runtime;
}

/** The runtime of `backend`, started by startKernelRuntime when the backend was selected. */
export function kernelRuntime(backend: BackendWasm): KernelRuntime {
  const runtime = runtimes.get(backend);
  if (!runtime) throw new Error('wasm kernels: not started on this backend; select it with selectBackend');
  return runtime;
}
