import { DatasetError } from './errors.js';

const BLOCK = 512;
/** Bound on a GNU long-name or pax header entry, which is read whole. */
const MAX_NAME_RECORD_BYTES = 1 << 20;

export interface TarEntry {
  /** Path inside the archive, without a leading `./`. */
  name: string;
  data: Buffer;
}

/**
 * Reads a ustar archive from a stream of chunks, yielding the regular files whose names pass
 * `wanted` one at a time. Other entries are skipped without being kept, so memory holds at most
 * one wanted file beyond what the caller keeps. `file` names the archive in errors.
 */
export async function* readTarEntries(
  chunks: AsyncIterable<Buffer>,
  file: string,
  wanted: (name: string) => boolean,
): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(chunks[Symbol.asyncIterator]());
  try {
    yield* entries(reader, file, wanted);
  } finally {
    await reader.close();
  }
}

async function* entries(reader: ChunkReader, file: string, wanted: (name: string) => boolean): AsyncGenerator<TarEntry> {
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  // A GNU 'L' entry or a pax 'x' entry carries the full name of the entry after it.
  let longName: string | null = null;
  for (;;) {
    const got = await reader.readInto(header);
    if (got === 0) throw new DatasetError(file, `truncated tar archive: it ends at byte ${offset} without the end marker`);
    if (got < BLOCK) throw new DatasetError(file, `truncated tar archive: it ends inside the header at byte ${offset}`);
    if (header.every((b) => b === 0)) return;
    const entry = parseHeader(header, file, offset);
    const name = (longName ?? entry.name).replace(/^\.\//, '');
    longName = null;
    offset += BLOCK;
    const padding = Math.ceil(entry.size / BLOCK) * BLOCK - entry.size;
    const keep = entry.type === 'file' ? wanted(name) : entry.type !== 'other';
    if (keep) {
      if (entry.type !== 'file' && entry.size > MAX_NAME_RECORD_BYTES) {
        throw new DatasetError(file, `tar name record of ${entry.size} bytes at byte ${offset} is implausibly long`);
      }
      const data = Buffer.allocUnsafe(entry.size);
      if ((await reader.readInto(data)) < entry.size || (await reader.skip(padding)) < padding) {
        throw truncatedEntry(file, name);
      }
      if (entry.type === 'file') yield { name, data };
      else longName = (entry.type === 'gnu-long-name' ? text(data, 0, data.length) : paxPath(data)) ?? null;
    } else if ((await reader.skip(entry.size + padding)) < entry.size + padding) {
      throw truncatedEntry(file, name);
    }
    offset += entry.size + padding;
  }
}

interface TarHeader {
  name: string;
  size: number;
  type: 'file' | 'gnu-long-name' | 'pax' | 'other';
}

function parseHeader(block: Buffer, file: string, offset: number): TarHeader {
  // The checksum is the byte sum of the header with its own 8-byte field read as spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  const stored = parseOctal(block, 148, 8);
  if (stored !== sum) {
    throw new DatasetError(file, `bad tar header checksum at byte ${offset} (not a tar archive, or corrupt)`);
  }
  if (!text(block, 257, 6).startsWith('ustar')) {
    throw new DatasetError(file, `tar header at byte ${offset} is not in ustar format`);
  }
  // POSIX ustar ("ustar\0") splits long names into prefix + name; old GNU ("ustar  ") uses those bytes otherwise.
  const prefix = block[262] === 0 ? text(block, 345, 155) : '';
  const name = (prefix ? `${prefix}/` : '') + text(block, 0, 100);
  const size = parseOctal(block, 124, 12);
  if (size === null) throw new DatasetError(file, `tar entry ${name} has an unreadable size field`);
  return { name, size, type: entryType(block[156]!) };
}

function entryType(flag: number): TarHeader['type'] {
  const char = String.fromCharCode(flag);
  if (char === '0' || flag === 0) return 'file';
  if (char === 'L') return 'gnu-long-name';
  if (char === 'x') return 'pax';
  // Directories, links, pax globals and the rest are skipped.
  return 'other';
}

/** The `path` of pax extended-header records, each "<length> <key>=<value>\n". */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.toString('ascii', at, space));
    if (space < 0 || !(length > 0)) return undefined;
    const record = data.toString('utf8', space + 1, at + length - 1);
    if (record.startsWith('path=')) return record.slice('path='.length);
    at += length;
  }
  return undefined;
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

function parseOctal(block: Buffer, start: number, length: number): number | null {
  const field = text(block, start, length).trim();
  return /^[0-7]+$/.test(field) ? parseInt(field, 8) : null;
}

function truncatedEntry(file: string, name: string): DatasetError {
  return new DatasetError(file, `truncated tar archive: it ends inside ${name}`);
}

/** Exact-size reads over a stream of arbitrarily sized chunks. */
class ChunkReader {
  private chunk: Buffer = Buffer.alloc(0);
  private position = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Stops the source, e.g. when the archive ends before the stream does or the caller stops early. */
  async close(): Promise<void> {
    await this.source.return?.();
  }

  /** Fills `target`; returns how many bytes it got (fewer only at the end of the stream). */
  async readInto(target: Buffer): Promise<number> {
    let filled = 0;
    while (filled < target.length && (await this.available())) {
      const n = Math.min(target.length - filled, this.chunk.length - this.position);
      this.chunk.copy(target, filled, this.position, this.position + n);
      this.position += n;
      filled += n;
    }
    return filled;
  }

  /** Skips `count` bytes; returns how many it skipped. */
  async skip(count: number): Promise<number> {
    let skipped = 0;
    while (skipped < count && (await this.available())) {
      const n = Math.min(count - skipped, this.chunk.length - this.position);
      this.position += n;
      skipped += n;
    }
    return skipped;
  }

  private async available(): Promise<boolean> {
    while (this.position === this.chunk.length) {
      const next = await this.source.next();
      if (next.done) return false;
      this.chunk = next.value;
      this.position = 0;
    }
    return true;
  }
}
