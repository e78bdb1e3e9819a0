import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipFile, readMaybeGzipped } from '../../src-main/engine/data/gzip.js';
import { readTarEntries, type TarEntry } from '../../src-main/engine/data/tar.js';
import { tarArchive } from '../helpers/dataset-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'data-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(entries: AsyncIterable<TarEntry>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of entries) out[entry.name] = entry.data.toString('latin1');
  return out;
}

const big = Buffer.alloc(1500, 'b');
const archive = tarArchive([
  { name: 'folder/', directory: true },
  { name: 'folder/a.bin', data: Buffer.from('alpha') },
  { name: 'folder/skip.txt', data: Buffer.alloc(700, 's') },
  { name: 'folder/big.bin', data: big },
  { name: 'folder/empty.bin', data: Buffer.alloc(0) },
]);

describe('tar reader', () => {
  it.each([1, 7, 511, 512, 513, 100_000])('reads wanted files from chunks of %i bytes and skips the rest', async (size) => {
    const files = await collect(readTarEntries(inChunks(archive, size), 'a.tar', (n) => n.endsWith('.bin')));
    expect(files).toEqual({ 'folder/a.bin': 'alpha', 'folder/big.bin': big.toString('latin1'), 'folder/empty.bin': '' });
  });

  it('rejects an archive cut inside an entry, naming the archive and entry', async () => {
    const cut = archive.subarray(0, 512 * 7 + 100);
    await expect(collect(readTarEntries(inChunks(cut, 64), 'cut.tar', () => true))).rejects.toThrow(
      'cut.tar: truncated tar archive: it ends inside folder/big.bin',
    );
  });

  it('rejects an archive without its end marker', async () => {
    const cut = archive.subarray(0, archive.length - 1024);
    await expect(collect(readTarEntries(inChunks(cut, 512), 'cut.tar', () => true))).rejects.toThrow(
      /^cut\.tar: truncated tar archive: it ends at byte \d+ without the end marker$/,
    );
  });

  it('rejects a header whose checksum does not match', async () => {
    const bad = Buffer.from(archive);
    bad[512 + 3]! ^= 1;
    await expect(collect(readTarEntries(inChunks(bad, 512), 'bad.tar', () => true))).rejects.toThrow(
      'bad.tar: bad tar header checksum at byte 512 (not a tar archive, or corrupt)',
    );
  });

  it.each(['gnu', 'ustar', 'pax'])('reads an archive written by GNU tar in %s format', async (format) => {
    const root = join(dir, `tree-${format}`);
    const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
    mkdirSync(join(root, deep), { recursive: true });
    writeFileSync(join(root, deep, 'x.bin'), 'deep file');
    writeFileSync(join(root, 'y.bin'), big);
    const path = join(dir, `made-by-tar-${format}.tar.gz`);
    execFileSync('tar', ['-czf', path, `--format=${format}`, '-C', root, '.']);
    const files = await collect(readTarEntries(gunzipFile(path), path, (n) => n.endsWith('.bin')));
    expect(files).toEqual({ [`${deep}/x.bin`]: 'deep file', 'y.bin': big.toString('latin1') });
  });
});

describe('gzip files', () => {
  it('decompresses a .gz file and leaves other names alone', async () => {
    writeFileSync(join(dir, 'plain.bin'), 'plain');
    writeFileSync(join(dir, 'packed.bin.gz'), gzipSync('packed'));
    expect(Buffer.from(await readMaybeGzipped(join(dir, 'plain.bin'))).toString()).toBe('plain');
    expect(Buffer.from(await readMaybeGzipped(join(dir, 'packed.bin.gz'))).toString()).toBe('packed');
  });

  it('rejects a file named .gz that is not gzip', async () => {
    const path = join(dir, 'fake.gz');
    writeFileSync(path, 'not compressed at all');
    await expect(readMaybeGzipped(path)).rejects.toThrow(`${path}: is not gzip data although its name ends in .gz`);
    await expect(collect(readTarEntries(gunzipFile(path), path, () => true))).rejects.toThrow(
      `${path}: is not gzip data although its name ends in .gz`,
    );
  });

  it('rejects truncated gzip data, naming the file', async () => {
    const path = join(dir, 'cut.tar.gz');
    const packed = gzipSync(archive);
    writeFileSync(path, packed.subarray(0, packed.length - 20));
    await expect(readMaybeGzipped(path)).rejects.toThrow(`${path}: corrupt gzip data (unexpected end of file)`);
    await expect(collect(readTarEntries(gunzipFile(path), path, () => true))).rejects.toThrow(
      `${path}: corrupt gzip data (unexpected end of file)`,
    );
  });
});
