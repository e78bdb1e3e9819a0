import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNELS_WASM } from '../../src-main/engine/kernels/compiled.js';
import { definedMemory, importingMemory, type MemoryLimits } from '../../src-main/engine/kernels/wasm-binary.js';

/*
 * definedMemory and importingMemory on modules written out byte by byte (WebAssembly core spec
 * §5: 8-byte header, then sections of id byte, LEB128 size, body), instantiated for real.
 */

// The project's type libraries do not declare the WebAssembly global (see webassembly-api.ts).
interface ModuleEntry {
  module?: string;
  name: string;
  kind: string;
}
interface Memory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface Wasm {
  Module: (new (bytes: Uint8Array) => object) & { imports(m: object): ModuleEntry[]; exports(m: object): ModuleEntry[] };
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => Memory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const I32 = 0x7f;

/** Unsigned LEB128. */
function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const moduleOf = (...sections: number[][]): Uint8Array => Uint8Array.from([...HEADER, ...sections.flat()]);

// Types: 0 = (i32, i32) -> (), 1 = (i32) -> i32.
const TYPES = section(1, vec([[0x60, 2, I32, I32, 0], [0x60, 1, I32, 1, I32]]));
// store(addr, value): i32.store align=2 offset=0; load(addr): i32.load.
const STORE_BODY = [0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00, 0x0b];
const LOAD_BODY = [0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b];
const FUNCTIONS = section(3, vec([[0], [1]]));
const CODE = section(10, vec([[...leb(STORE_BODY.length), ...STORE_BODY], [...leb(LOAD_BODY.length), ...LOAD_BODY]]));
/** Exports memory 0 as "memory" and functions `first`, `first + 1` as store and load. */
const exportsFrom = (first: number): number[] =>
  section(7, vec([[...name('memory'), 2, 0], [...name('store'), 0, first], [...name('load'), 0, first + 1]]));
/** A data segment writing 42 (as an i32) at address 16 of memory 0. */
const DATA = section(11, vec([[0x00, 0x41, 16, 0x0b, ...leb(4), 42, 0, 0, 0]]));

/** Defines memory (min 1, max 4), exports it, store and load, and initialises address 16. */
const DEFINES_MEMORY = moduleOf(TYPES, FUNCTIONS, section(5, vec([[0x01, 1, 4]])), exportsFrom(0), CODE, DATA);

/** The same, but importing env.memory (unshared, min 1, no maximum) instead of defining it. */
const IMPORTS_MEMORY = moduleOf(TYPES, section(2, vec([[...name('env'), ...name('memory'), 2, 0x00, 1]])), FUNCTIONS, exportsFrom(0), CODE, DATA);

/**
 * A custom section first (200 bytes: a two-byte section size), a function import env.log that
 * must be kept in front (it is function 0, so store and load are 1 and 2), a global import,
 * and a defined memory with a two-byte LEB128 maximum (300 pages).
 */
const WITH_OTHER_IMPORTS = moduleOf(
  section(0, [...name('note'), ...new Array<number>(195).fill(7)]),
  section(1, vec([[0x60, 2, I32, I32, 0], [0x60, 1, I32, 1, I32], [0x60, 1, I32, 0]])),
  section(2, vec([[...name('env'), ...name('log'), 0, 2], [...name('env'), ...name('base'), 3, I32, 0]])),
  FUNCTIONS,
  section(5, vec([[0x01, 2, ...leb(300)]])),
  exportsFrom(1),
  CODE,
);

const NO_MEMORY = moduleOf(TYPES, section(3, vec([[1]])), section(7, vec([[...name('load'), 0, 0]])), section(10, vec([[...leb(LOAD_BODY.length), ...LOAD_BODY]])));

const SHARED: MemoryLimits = { initial: 1, maximum: 4, shared: true };

function sharedMemory(initial = 1, maximum = 4): Memory {
  return new WebAssembly.Memory({ initial, maximum, shared: true });
}

function instantiate(bytes: Uint8Array, imports: Record<string, unknown>) {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: imports });
  return instance.exports as { memory: Memory; store(at: number, value: number): void; load(at: number): number };
}

describe('definedMemory', () => {
  it('reads the limits of the memory a module defines', () => {
    expect(definedMemory(DEFINES_MEMORY)).toEqual({ initial: 1, maximum: 4, shared: false });
    expect(definedMemory(WITH_OTHER_IMPORTS)).toEqual({ initial: 2, maximum: 300, shared: false });
  });

  it('reads a shared memory and one without a maximum', () => {
    expect(definedMemory(moduleOf(section(5, vec([[0x03, 2, 8]]))))).toEqual({ initial: 2, maximum: 8, shared: true });
    expect(definedMemory(moduleOf(section(5, vec([[0x00, 3]]))))).toEqual({ initial: 3, maximum: null, shared: false });
  });

  it('is null for a module that imports its memory or has none', () => {
    expect(definedMemory(IMPORTS_MEMORY)).toBeNull();
    expect(definedMemory(NO_MEMORY)).toBeNull();
    expect(definedMemory(Buffer.from(KERNELS_WASM, 'base64'))).toBeNull();
  });

  it('rejects two memories, and bytes that are not a module', () => {
    expect(() => definedMemory(moduleOf(section(5, vec([[0x01, 1, 4], [0x01, 1, 4]]))))).toThrow('the memory section defines 2 memories, expected one');
    expect(() => definedMemory(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0]))).toThrow('not a WebAssembly 1.0 module');
    expect(() => definedMemory(DEFINES_MEMORY.subarray(0, DEFINES_MEMORY.length - 3))).toThrow('unexpected end');
  });

  it('reads tfjs-backend-wasm’s own binaries (which shared-heap.ts rewrites)', () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      const limits = definedMemory(readFileSync(join(dist, file)));
      expect(limits).not.toBeNull();
      expect(limits!.shared).toBe(false);
      expect(limits!.maximum).not.toBeNull();
      expect(limits!.maximum!).toBeGreaterThan(limits!.initial);
    }
  });
});

describe('importingMemory', () => {
  it('the hand-made modules are valid as written', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(instantiate(DEFINES_MEMORY, {}).load(16)).toBe(42);
    expect(instantiate(IMPORTS_MEMORY, { memory }).load(16)).toBe(42);
    expect(instantiate(WITH_OTHER_IMPORTS, { log: () => {}, base: 0 }).load(0)).toBe(0);
  });

  it('turns a defined memory into an import of env.memory that the module really uses', () => {
    const rewritten = importingMemory(DEFINES_MEMORY, SHARED);
    const module = new WebAssembly.Module(rewritten);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(['memory', 'store', 'load']);
    expect(definedMemory(rewritten)).toBeNull();

    const memory = sharedMemory();
    const exports = instantiate(rewritten, { memory });
    expect(exports.memory).toBe(memory);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The data segment landed in the given memory.
    const view = new Int32Array(memory.buffer);
    expect(view[4]).toBe(42);
    exports.store(8, 12345);
    expect(view[2]).toBe(12345);
    view[3] = -777;
    expect(exports.load(12)).toBe(-777);
    // The last word of the memory's one page is in bounds, the next is not.
    exports.store(65532, 5);
    expect(view[16383]).toBe(5);
    expect(() => exports.load(65536)).toThrow();
  });

  it('requires the shared limits it wrote: a memory with another maximum, or an unshared one, is refused', () => {
    const rewritten = importingMemory(DEFINES_MEMORY, SHARED);
    expect(() => instantiate(rewritten, { memory: sharedMemory(1, 8) })).toThrow();
    expect(() => instantiate(rewritten, { memory: new WebAssembly.Memory({ initial: 1, maximum: 4 }) })).toThrow();
    expect(() => instantiate(rewritten, { memory: sharedMemory(0, 4) })).toThrow();
  });

  it('replaces an existing env.memory import', () => {
    const rewritten = importingMemory(IMPORTS_MEMORY, SHARED);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(rewritten))).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const memory = sharedMemory();
    const exports = instantiate(rewritten, { memory });
    expect(exports.memory).toBe(memory);
    exports.store(0, 99);
    expect(new Int32Array(memory.buffer)[0]).toBe(99);
    expect(exports.load(16)).toBe(42);
  });

  it('keeps the other imports, in front, and custom sections; LEB128 sizes of two bytes', () => {
    const limits: MemoryLimits = { initial: 2, maximum: 300, shared: true };
    const rewritten = importingMemory(WITH_OTHER_IMPORTS, limits);
    const module = new WebAssembly.Module(rewritten);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'log', kind: 'function' },
      { module: 'env', name: 'base', kind: 'global' },
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    // The 200-byte custom section is still first, byte for byte.
    const custom = WITH_OTHER_IMPORTS.subarray(8, 8 + 3 + 200);
    expect(Array.from(rewritten.subarray(8, 8 + custom.length))).toEqual(Array.from(custom));
    const memory = sharedMemory(2, 300);
    const exports = instantiate(rewritten, { log: () => {}, base: 0, memory });
    expect(exports.memory).toBe(memory);
    exports.store(2 * 65536 - 4, 31);
    expect(new Int32Array(memory.buffer)[2 * 16384 - 1]).toBe(31);
  });

  it('writes the limits it is given, including an unshared memory without a maximum', () => {
    const rewritten = importingMemory(DEFINES_MEMORY, { initial: 1, maximum: null, shared: false });
    const memory = new WebAssembly.Memory({ initial: 3 });
    const exports = instantiate(rewritten, { memory });
    expect(exports.memory).toBe(memory);
    expect(memory.buffer).toBeInstanceOf(ArrayBuffer);
    exports.store(3 * 65536 - 4, 1);
    expect(new Int32Array(memory.buffer)[3 * 16384 - 1]).toBe(1);
  });

  it('rejects a module without a memory', () => {
    expect(() => importingMemory(NO_MEMORY, SHARED)).toThrow('expected exactly one memory, defined or imported');
  });

  it('rejects a module with two memories: one imported and one defined', () => {
    const both = moduleOf(TYPES, section(2, vec([[...name('env'), ...name('memory'), 2, 0x00, 1]])), section(5, vec([[0x01, 1, 4]])));
    expect(() => importingMemory(both, SHARED)).toThrow('expected exactly one memory, defined or imported');
  });

  it('rejects a module with two memories: both defined', () => {
    const two = moduleOf(TYPES, FUNCTIONS, section(5, vec([[0x01, 1, 4], [0x01, 1, 4]])), exportsFrom(0), CODE);
    expect(() => importingMemory(two, SHARED)).toThrow('the memory section defines 2 memories, expected one');
  });

  it('rejects a shared memory without a maximum', () => {
    expect(() => importingMemory(DEFINES_MEMORY, { initial: 1, maximum: null, shared: true })).toThrow('a shared memory needs a maximum');
  });

  it('rewrites our compiled kernel module for a shared heap', () => {
    const rewritten = importingMemory(Buffer.from(KERNELS_WASM, 'base64'), { initial: 0, maximum: 4, shared: true });
    const module = new WebAssembly.Module(rewritten);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const instance = new WebAssembly.Instance(module, { env: { memory: sharedMemory() } });
    expect(typeof instance.exports['matMul']).toBe('function');
  });
});
