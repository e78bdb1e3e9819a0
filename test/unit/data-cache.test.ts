import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_VERSION, readCacheHeader, readSplitCache, splitSha256, writeSplitCache } from '../../src-main/engine/data/cache.js';
import { expectedSet } from '../helpers/dataset-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'data-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const set = expectedSet(0, 5, [28, 28, 1], 10);
const fields = { dataset: 'mnist' as const, split: 'train' as const, classes: 10, source: '/somewhere/mnist' };

async function written(name: string): Promise<string> {
  const path = join(dir, name);
  await writeSplitCache(path, fields, set);
  return path;
}

describe('split cache', () => {
  it('reads back exactly what was written, with the SHA-256 of images then labels', async () => {
    const path = await written('ok.cache');
    const { header, set: read } = await readSplitCache(path, 'mnist', 'train');
    const sha = createHash('sha256').update(set.images).update(set.labels).digest('hex');
    expect(header).toEqual({ version: CACHE_VERSION, ...fields, count: 5, shape: [28, 28, 1], sha256: sha });
    expect(splitSha256(set)).toBe(sha);
    expect(read.count).toBe(5);
    expect(read.labels).toEqual(set.labels);
    expect(Buffer.from(read.images).equals(Buffer.from(set.images))).toBe(true);
    expect((await readCacheHeader(path, 'mnist', 'train')).bytes).toBe(readFileSync(path).length);
  });

  it('detects a changed byte by its SHA-256', async () => {
    const path = await written('flipped.cache');
    const bytes = readFileSync(path);
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(path, bytes);
    await expect(readSplitCache(path, 'mnist', 'train')).rejects.toThrow(new RegExp(`^${path}: corrupt: contents have SHA-256 [0-9a-f]{64}, the header records ${splitSha256(set)}$`));
  });

  it('detects a truncated cache by its size, also when only the header is read', async () => {
    const path = await written('short.cache');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    const message = `${path}: size mismatch: ${bytes.length - 1} bytes, the header implies ${bytes.length} (truncated or corrupt)`;
    await expect(readSplitCache(path, 'mnist', 'train')).rejects.toThrow(message);
    await expect(readCacheHeader(path, 'mnist', 'train')).rejects.toThrow(message);
  });

  it('rejects another version, another split, and a file that is not a cache', async () => {
    const path = await written('v.cache');
    const text = readFileSync(path).toString('latin1').replace(`"version":${CACHE_VERSION}`, `"version":${CACHE_VERSION + 1}`);
    writeFileSync(path, Buffer.from(text, 'latin1'));
    await expect(readSplitCache(path, 'mnist', 'train')).rejects.toThrow(
      `${path}: cache version ${CACHE_VERSION + 1}, this build reads version ${CACHE_VERSION}`,
    );
    const other = await written('train.cache');
    await expect(readSplitCache(other, 'mnist', 'test')).rejects.toThrow(`${other}: holds the mnist train split, expected mnist test`);
    const junk = join(dir, 'junk.cache');
    writeFileSync(junk, 'hello world, not a cache');
    await expect(readSplitCache(junk, 'mnist', 'train')).rejects.toThrow(`${junk}: is not a rigl-lab dataset cache (bad magic)`);
  });

  it('rejects a cache whose shape does not fit the dataset', async () => {
    const path = join(dir, 'shape.cache');
    await writeSplitCache(path, { ...fields, dataset: 'cifar10' }, set);
    await expect(readSplitCache(path, 'cifar10', 'train')).rejects.toThrow(
      `${path}: holds 28×28×1 images in 10 classes, cifar10 has 32×32×3 in 10`,
    );
  });
});
