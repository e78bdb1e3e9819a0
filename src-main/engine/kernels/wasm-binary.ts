/*
 * Rewrites the memory of a WebAssembly binary so that two modules can share one: tfjs-wasm's
 * module defines its own memory, which we turn into an imported shared one (so that kernel
 * threads can work on tensors in place), and our kernel module's import is given the limits of
 * whatever memory it is instantiated on. Binary format: 8-byte header, then sections, each an id
 * byte, a LEB128 size and a body (WebAssembly core spec §5.5).
 */

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const IMPORT_KIND_MEMORY = 2;
const LIMITS_HAS_MAX = 0x01;
const LIMITS_SHARED = 0x02;

export interface MemoryLimits {
  /** In 64 KiB pages. */
  initial: number;
  maximum: number | null;
  shared: boolean;
}

interface Section {
  id: number;
  body: Uint8Array;
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public at = 0,
  ) {}

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new Error('wasm binary: LEB128 number longer than 5 bytes');
    }
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error('wasm binary: unexpected end');
    return this.bytes[this.at++]!;
  }

  skip(count: number): Uint8Array {
    if (this.at + count > this.bytes.length) throw new Error('wasm binary: unexpected end');
    const slice = this.bytes.subarray(this.at, this.at + count);
    this.at += count;
    return slice;
  }

  name(): string {
    return new TextDecoder().decode(this.skip(this.u32()));
  }

  limits(): MemoryLimits {
    const flags = this.byte();
    const initial = this.u32();
    const maximum = flags & LIMITS_HAS_MAX ? this.u32() : null;
    return { initial, maximum, shared: (flags & LIMITS_SHARED) !== 0 };
  }
}

function u32Bytes(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function nameBytes(name: string): number[] {
  const utf8 = new TextEncoder().encode(name);
  return [...u32Bytes(utf8.length), ...utf8];
}

function limitsBytes(limits: MemoryLimits): number[] {
  if (limits.shared && limits.maximum === null) throw new Error('wasm binary: a shared memory needs a maximum');
  const flags = (limits.maximum === null ? 0 : LIMITS_HAS_MAX) | (limits.shared ? LIMITS_SHARED : 0);
  return [flags, ...u32Bytes(limits.initial), ...(limits.maximum === null ? [] : u32Bytes(limits.maximum))];
}

function sections(bytes: Uint8Array): Section[] {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) throw new Error('wasm binary: not a WebAssembly 1.0 module');
  const reader = new Reader(bytes, 8);
  const out: Section[] = [];
  while (reader.at < bytes.length) {
    const id = reader.byte();
    out.push({ id, body: reader.skip(reader.u32()) });
  }
  return out;
}

/** Each import of a module: where its entry starts and ends in the import section's body, and the memory limits of a memory import. */
function imports(body: Uint8Array): Array<{ start: number; end: number; memory: MemoryLimits | null }> {
  const reader = new Reader(body);
  const count = reader.u32();
  const out = [];
  for (let i = 0; i < count; i++) {
    const start = reader.at;
    reader.name();
    reader.name();
    const kind = reader.byte();
    let memory: MemoryLimits | null = null;
    switch (kind) {
      case 0: // function: type index
        reader.u32();
        break;
      case 1: // table: reference type, limits
        reader.byte();
        reader.limits();
        break;
      case IMPORT_KIND_MEMORY:
        memory = reader.limits();
        break;
      case 3: // global: value type, mutability
        reader.byte();
        reader.byte();
        break;
      default:
        throw new Error(`wasm binary: unknown import kind ${kind}`);
    }
    out.push({ start, end: reader.at, memory });
  }
  return out;
}

/** The limits of the one memory a memory section defines. */
function onlyMemory(section: Section): MemoryLimits {
  const reader = new Reader(section.body);
  const count = reader.u32();
  if (count !== 1) throw new Error(`wasm binary: the memory section defines ${count} memories, expected one`);
  return reader.limits();
}

/** The limits of the memory a module defines itself, or null if it defines none. */
export function definedMemory(bytes: Uint8Array): MemoryLimits | null {
  const memory = sections(bytes).find((s) => s.id === SECTION_MEMORY);
  return memory ? onlyMemory(memory) : null;
}

/**
 * The module with its memory, defined or imported, replaced by an import of `env.memory` with
 * these limits. The memory keeps index 0, so its exports and data segments are unchanged.
 */
export function importingMemory(bytes: Uint8Array, limits: MemoryLimits): Uint8Array {
  const all = sections(bytes);
  const existing = all.find((s) => s.id === SECTION_IMPORT);
  const entries = existing ? imports(existing.body) : [];
  const defined = all.find((s) => s.id === SECTION_MEMORY);
  if ((defined !== undefined) === entries.some((e) => e.memory !== null)) {
    throw new Error('wasm binary: expected exactly one memory, defined or imported');
  }
  if (defined) onlyMemory(defined);
  const kept = entries.filter((e) => e.memory === null);
  const importBody = [
    ...u32Bytes(kept.length + 1),
    ...kept.flatMap((e) => [...existing!.body.subarray(e.start, e.end)]),
    ...nameBytes('env'),
    ...nameBytes('memory'),
    IMPORT_KIND_MEMORY,
    ...limitsBytes(limits),
  ];
  const out: number[] = [...bytes.subarray(0, 8)];
  const put = (id: number, body: ArrayLike<number>): void => {
    out.push(id, ...u32Bytes(body.length));
    for (let i = 0; i < body.length; i++) out.push(body[i]!);
  };
  let placed = false;
  for (const section of all) {
    if (section.id === SECTION_MEMORY) continue;
    // Custom sections (id 0) may sit anywhere; the import section goes before the first known section after it.
    if (!placed && section.id !== 0 && section.id > SECTION_IMPORT) {
      put(SECTION_IMPORT, importBody);
      placed = true;
    }
    if (section.id === SECTION_IMPORT) {
      put(SECTION_IMPORT, importBody);
      placed = true;
      continue;
    }
    put(section.id, section.body);
  }
  if (!placed) put(SECTION_IMPORT, importBody);
  return Uint8Array.from(out);
}
