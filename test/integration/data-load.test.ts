import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetName } from '../../src-shared/names.js';
import {
  DatasetMissingError,
  datasetProblems,
  importDataset,
  listDatasets,
  loadDataset,
  type ImageSet,
  type SystemDirs,
} from '../../src-main/engine/data/index.js';
import { IDX_FILES } from '../../src-main/engine/data/formats.js';
import {
  expectedSet,
  idxImagesBytes,
  idxLabelsBytes,
  tarArchive,
  writeCifarArchive,
  writeCifarFolder,
  writeIdxDataset,
} from '../helpers/dataset-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'data-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (label: string): string => join(root, `${label}-${counter++}`);
const noSystem: SystemDirs = { mnist: [], 'fashion-mnist': [], cifar10: [], cifar100: [] };

function expectSame(actual: ImageSet, expected: ImageSet): void {
  expect(actual.count).toBe(expected.count);
  expect(actual.shape).toEqual(expected.shape);
  expect(Buffer.from(actual.labels).equals(Buffer.from(expected.labels))).toBe(true);
  expect(Buffer.from(actual.images).equals(Buffer.from(expected.images))).toBe(true);
}

describe('IDX datasets', () => {
  it.each([true, false])('imports the four files (gzip %s), caches them and loads the cache', async (gzip) => {
    const source = fresh('idx-src');
    const fixture = await writeIdxDataset(source, { train: 12, test: 5, gzip });
    const dataDir = fresh('data');
    const result = await importDataset('mnist', source, dataDir);
    expect(result).toMatchObject({ folder: join(dataDir, 'mnist'), trainCount: 12, testCount: 5 });
    expect(readdirSync(join(dataDir, 'mnist')).sort()).toEqual(['raw', 'test.cache', 'train.cache']);
    expect(readdirSync(join(dataDir, 'mnist', 'raw')).sort()).toEqual(
      Object.values(IDX_FILES).map((n) => n + (gzip ? '.gz' : '')).sort(),
    );
    expect(readdirSync(dataDir)).toEqual(['mnist']);
    const loaded = await loadDataset('mnist', { dataDir, systemDirs: noSystem });
    expectSame(loaded.train, fixture.train);
    expectSame(loaded.test, fixture.test);
    expect(loaded).toMatchObject({ name: 'mnist', classes: 10, source: join(dataDir, 'mnist', 'raw'), checksums: result.checksums });
  });

  it('loads from a system folder, writes the cache, then reads the cache even with the system copy gone', async () => {
    const system = fresh('system');
    const fixture = await writeIdxDataset(system, { train: 6, test: 4, gzip: true });
    const dataDir = fresh('data');
    const systemDirs = { ...noSystem, 'fashion-mnist': [fresh('absent'), system] };
    const first = await loadDataset('fashion-mnist', { dataDir, systemDirs });
    expect(first.source).toBe(system);
    expect(existsSync(join(dataDir, 'fashion-mnist', 'train.cache'))).toBe(true);
    rmSync(system, { recursive: true });
    const second = await loadDataset('fashion-mnist', { dataDir, systemDirs });
    expect(second.source).toBe(system);
    expect(second.checksums).toEqual(first.checksums);
    expectSame(second.train, fixture.train);
  });

  it('rebuilds a corrupt cache from the raw copy and says so', async () => {
    const source = fresh('idx-src');
    const fixture = await writeIdxDataset(source, { train: 8, test: 3, gzip: false });
    const dataDir = fresh('data');
    await importDataset('mnist', source, dataDir);
    const cache = join(dataDir, 'mnist', 'train.cache');
    const bytes = readFileSync(cache);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(cache, bytes);
    const notices: string[] = [];
    const loaded = await loadDataset('mnist', { dataDir, systemDirs: noSystem, onNotice: (m) => notices.push(m) });
    expectSame(loaded.train, fixture.train);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(new RegExp(`^${cache}: corrupt: contents have SHA-256 .*; rebuilding the cache from ${join(dataDir, 'mnist', 'raw')}$`));
    // The rebuilt cache is good: no notice the second time.
    await loadDataset('mnist', { dataDir, systemDirs: noSystem, onNotice: (m) => notices.push(m) });
    expect(notices.length).toBe(1);
  });

  it('reports a corrupt cache with nothing to rebuild it from', async () => {
    const source = fresh('idx-src');
    await writeIdxDataset(source, { train: 4, test: 2, gzip: false });
    const dataDir = fresh('data');
    await importDataset('mnist', source, dataDir);
    rmSync(join(dataDir, 'mnist', 'raw'), { recursive: true });
    const cache = join(dataDir, 'mnist', 'test.cache');
    writeFileSync(cache, readFileSync(cache).subarray(0, 1000));
    await expect(loadDataset('mnist', { dataDir, systemDirs: noSystem })).rejects.toThrow(
      /test\.cache: size mismatch: .*, and there is no original copy to rebuild it from; run `rigl-lab datasets import mnist PATH`/,
    );
  });

  it('says how to get a dataset that is nowhere', async () => {
    const dataDir = fresh('data');
    const error = await loadDataset('cifar10', { dataDir, systemDirs: noSystem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetMissingError);
    expect((error as Error).message).toBe(
      `CIFAR-10 is not available (looked in ${join(dataDir, 'cifar10')}). Download it with \`rigl-lab datasets fetch cifar10\` ` +
        'or import a copy with `rigl-lab datasets import cifar10 PATH`.',
    );
  });

  const malformed: Array<[string, (dir: string) => void, RegExp]> = [
    ['a missing file', (d) => rmSync(join(d, `${IDX_FILES.testLabels}.gz`)), /: lacks t10k-labels-idx1-ubyte\(\.gz\)$/],
    [
      'a bad magic',
      (d) => writeFileSync(join(d, `${IDX_FILES.trainImages}.gz`), gzipSync(idxImagesBytes(expectedSet(0, 3, [28, 28, 1], 10), 2049))),
      /train-images-idx3-ubyte\.gz: bad magic 2049 \(an IDX labels file\), expected 2051 \(IDX images\)$/,
    ],
    [
      'a truncated file',
      (d) => writeFileSync(join(d, `${IDX_FILES.testImages}.gz`), gzipSync(idxImagesBytes(expectedSet(0, 2, [28, 28, 1], 10)).subarray(0, 1000))),
      /t10k-images-idx3-ubyte\.gz: truncated: the header announces 2 images of 28×28 \(1584 bytes\) but the file has 1000$/,
    ],
    [
      'label 10 in a 10-class set',
      (d) => writeFileSync(join(d, `${IDX_FILES.trainLabels}.gz`), gzipSync(idxLabelsBytes(Uint8Array.of(0, 1, 10)))),
      /train-labels-idx1-ubyte\.gz: label 10 at index 2 is out of range 0\.\.9$/,
    ],
    [
      'an image/label count mismatch',
      (d) => writeFileSync(join(d, `${IDX_FILES.trainLabels}.gz`), gzipSync(idxLabelsBytes(Uint8Array.of(0, 1)))),
      /train-labels-idx1-ubyte\.gz: count mismatch: 2 labels for the 3 images of .*train-images-idx3-ubyte\.gz$/,
    ],
    [
      'images of the wrong size',
      (d) => writeFileSync(join(d, `${IDX_FILES.trainImages}.gz`), gzipSync(idxImagesBytes(expectedSet(0, 3, [32, 32, 1], 10)))),
      /train-images-idx3-ubyte\.gz: images are 32×32, MNIST images are 28×28$/,
    ],
    [
      'a .gz file that is not gzip',
      (d) => writeFileSync(join(d, `${IDX_FILES.testLabels}.gz`), idxLabelsBytes(Uint8Array.of(1, 2))),
      /t10k-labels-idx1-ubyte\.gz: is not gzip data although its name ends in \.gz$/,
    ],
    [
      'corrupt gzip data',
      (d) => writeFileSync(join(d, `${IDX_FILES.testImages}.gz`), gzipSync(idxImagesBytes(expectedSet(0, 2, [28, 28, 1], 10))).subarray(0, 200)),
      /t10k-images-idx3-ubyte\.gz: corrupt gzip data \(unexpected end of file\)$/,
    ],
  ];

  it.each(malformed)('rejects %s, naming the file, and leaves nothing behind', async (_, spoil, message) => {
    const source = fresh('bad-src');
    await writeIdxDataset(source, { train: 3, test: 2, gzip: true });
    spoil(source);
    const dataDir = fresh('data');
    mkdirSync(dataDir);
    await expect(importDataset('mnist', source, dataDir)).rejects.toThrow(message);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("refuses Fashion-MNIST's files imported as MNIST, which share their format, by their images", async () => {
    const dataDir = fresh('data');
    await expect(importDataset('mnist', '/usr/share/datasets/fashion-mnist', dataDir)).rejects.toThrow(
      "/usr/share/datasets/fashion-mnist: holds Fashion-MNIST, not MNIST: its training images' mean pixel is 0.286, as Fashion-MNIST's (0.286) and not MNIST's (0.1307); import it as fashion-mnist",
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('keeps the previous import when a new one fails', async () => {
    const dataDir = fresh('data');
    const good = fresh('good');
    const fixture = await writeIdxDataset(good, { train: 5, test: 2, gzip: false });
    await importDataset('mnist', good, dataDir);
    const bad = fresh('bad');
    await writeIdxDataset(bad, { train: 5, test: 2, gzip: false });
    writeFileSync(join(bad, IDX_FILES.testLabels), idxLabelsBytes(Uint8Array.of(11, 0)));
    await expect(importDataset('mnist', bad, dataDir)).rejects.toThrow(/label 11 at index 0/);
    expect(readdirSync(dataDir)).toEqual(['mnist']);
    expectSame((await loadDataset('mnist', { dataDir, systemDirs: noSystem })).train, fixture.train);
  });

  it('asks for the folder when given one IDX file', async () => {
    const source = fresh('idx-src');
    await writeIdxDataset(source, { train: 2, test: 2, gzip: false });
    const file = join(source, IDX_FILES.trainImages);
    await expect(importDataset('mnist', file, fresh('data'))).rejects.toThrow(
      `${file}: is a file; MNIST is read from the folder holding its four IDX files`,
    );
    await expect(importDataset('mnist', fresh('nothing'), fresh('data'))).rejects.toThrow(/: does not exist$/);
  });
});

describe('CIFAR datasets', () => {
  it.each(['cifar10', 'cifar100'] as const)('imports the official-style %s archive and loads it', async (kind) => {
    const archive = join(fresh('archive'), kind === 'cifar10' ? 'cifar-10-binary.tar.gz' : 'cifar-100-binary.tar.gz');
    const fixture = await writeCifarArchive(archive, kind, { trainPerFile: 3, test: 4 });
    const dataDir = fresh('data');
    const result = await importDataset(kind, archive, dataDir);
    expect(result).toMatchObject({ trainCount: kind === 'cifar10' ? 15 : 3, testCount: 4 });
    const loaded = await loadDataset(kind, { dataDir, systemDirs: noSystem });
    expect(loaded.classes).toBe(kind === 'cifar10' ? 10 : 100);
    expectSame(loaded.train, fixture.train);
    expectSame(loaded.test, fixture.test);
  });

  it('imports the unpacked folder, or the folder holding the archive', async () => {
    const unpacked = fresh('unpacked');
    const fixture = await writeCifarFolder(unpacked, 'cifar10', { trainPerFile: 2, test: 3 });
    for (const path of [unpacked, join(unpacked, 'cifar-10-batches-bin')]) {
      const dataDir = fresh('data');
      await importDataset('cifar10', path, dataDir);
      expect(readdirSync(join(dataDir, 'cifar10', 'raw', 'cifar-10-batches-bin')).length).toBe(6);
      expectSame((await loadDataset('cifar10', { dataDir, systemDirs: noSystem })).train, fixture.train);
    }
    const holder = fresh('holder');
    const archived = await writeCifarArchive(join(holder, 'cifar-100-binary.tar.gz'), 'cifar100', { trainPerFile: 2, test: 2 });
    const dataDir = fresh('data');
    await importDataset('cifar100', holder, dataDir);
    expect(readdirSync(join(dataDir, 'cifar100', 'raw'))).toEqual(['cifar-100-binary.tar.gz']);
    expectSame((await loadDataset('cifar100', { dataDir, systemDirs: noSystem })).test, archived.test);
  });

  it('rejects a bad record size and a label out of range inside the archive, naming archive and member', async () => {
    const dir = fresh('bad-archive');
    mkdirSync(dir);
    const archive = join(dir, 'cifar-10-binary.tar.gz');
    const fixture = await writeCifarArchive(archive, 'cifar10', { trainPerFile: 2, test: 2 });
    const entries: Array<{ name: string; data: Buffer }> = fixture.files.map((f) => ({ ...f, data: Buffer.from(f.data) }));
    entries[1]!.data = entries[1]!.data.subarray(0, 3073 + 10);
    writeFileSync(archive, gzipSync(tarArchive(entries)));
    const dataDir = fresh('data');
    await expect(importDataset('cifar10', archive, dataDir)).rejects.toThrow(
      `${archive} (cifar-10-batches-bin/data_batch_2.bin): wrong record size: 3083 bytes is not a whole number of 3073-byte records`,
    );
    entries[1] = fixture.files[1]!;
    entries[5]!.data[3073] = 10;
    writeFileSync(archive, gzipSync(tarArchive(entries)));
    await expect(importDataset('cifar10', archive, dataDir)).rejects.toThrow(
      `${archive} (cifar-10-batches-bin/test_batch.bin): label 10 of record 1 is out of range 0..9`,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects an archive that lacks a batch, and one that is not gzip', async () => {
    const dir = fresh('short-archive');
    mkdirSync(dir);
    const archive = join(dir, 'cifar-10-binary.tar.gz');
    const fixture = await writeCifarArchive(archive, 'cifar10', { trainPerFile: 1, test: 1 });
    writeFileSync(archive, gzipSync(tarArchive(fixture.files.slice(0, 5))));
    await expect(importDataset('cifar10', archive, fresh('data'))).rejects.toThrow(
      `${archive}: archive lacks cifar-10-batches-bin/test_batch.bin`,
    );
    writeFileSync(archive, tarArchive(fixture.files));
    await expect(importDataset('cifar10', archive, fresh('data'))).rejects.toThrow(
      `${archive}: is not gzip data although its name ends in .gz`,
    );
  });

  it('names the missing batch files of a partial folder', async () => {
    const dir = fresh('partial');
    await writeCifarFolder(dir, 'cifar10', { trainPerFile: 1, test: 1 });
    rmSync(join(dir, 'cifar-10-batches-bin', 'data_batch_3.bin'));
    await expect(importDataset('cifar10', dir, fresh('data'))).rejects.toThrow(
      `${join(dir, 'cifar-10-batches-bin')}: lacks data_batch_3.bin`,
    );
  });
});

describe('listing', () => {
  it('tells for each dataset whether and where it is available, with sizes', async () => {
    const dataDir = fresh('data');
    const idx = fresh('idx-src');
    await writeIdxDataset(idx, { train: 7, test: 3, gzip: false });
    await importDataset('mnist', idx, dataDir);
    const system = fresh('system');
    await writeIdxDataset(system, { train: 2, test: 2, gzip: false });
    const archive = join(fresh('a'), 'cifar-100-binary.tar.gz');
    await writeCifarArchive(archive, 'cifar100', { trainPerFile: 2, test: 2 });
    const broken = fresh('broken');
    mkdirSync(broken);
    const systemDirs: SystemDirs = { ...noSystem, 'fashion-mnist': [system], cifar10: [broken], cifar100: [archive] };
    const list = await listDatasets(dataDir, systemDirs);
    const byName = Object.fromEntries(list.map((s) => [s.name, s])) as Record<DatasetName, (typeof list)[number]>;
    expect(list.map((s) => s.name)).toEqual(['mnist', 'fashion-mnist', 'cifar10', 'cifar100']);

    const mnistCache = readdirSync(join(dataDir, 'mnist')).filter((f) => f.endsWith('.cache'));
    expect(mnistCache).toHaveLength(2);
    const cacheBytes = mnistCache.reduce((sum, f) => sum + readFileSync(join(dataDir, 'mnist', f)).length, 0);
    expect(byName.mnist).toEqual({
      name: 'mnist',
      label: 'MNIST',
      available: true,
      from: 'cache',
      cache: { folder: join(dataDir, 'mnist'), bytes: cacheBytes, trainCount: 7, testCount: 3 },
      original: { kind: 'raw', path: join(dataDir, 'mnist', 'raw'), bytes: 16 + 7 * 784 + 8 + 7 + 16 + 3 * 784 + 8 + 3 },
      problems: [],
    });
    expect(byName['fashion-mnist']).toMatchObject({ available: true, from: 'system', cache: null, original: { kind: 'system', path: system } });
    expect(byName.cifar10).toMatchObject({ available: false, from: null, cache: null, original: null });
    expect(byName.cifar10.problems).toEqual([expect.stringMatching(new RegExp(`^${broken}: holds neither cifar-10-binary\\.tar\\.gz`))]);
    expect(byName.cifar100).toMatchObject({ available: true, from: 'system', original: { kind: 'system', path: archive, bytes: readFileSync(archive).length } });
  });

  it('refuses runs that need more training images than an imported partial copy holds', async () => {
    const dataDir = fresh('data');
    const archive = join(fresh('a'), 'cifar-10-binary.tar.gz');
    await writeCifarArchive(archive, 'cifar10', { trainPerFile: 20, test: 10 });
    await importDataset('cifar10', archive, dataDir);
    expect((await datasetProblems([{ dataset: 'cifar10', trainSubset: undefined }, { dataset: 'cifar10', trainSubset: 150 }], dataDir, noSystem)).shortfalls).toEqual([
      'CIFAR-10 on this machine holds 100 training images, fewer than the full set\'s 50,000: set the train subset to 100 or fewer, or import the complete archive',
      'CIFAR-10 on this machine holds 100 training images, fewer than its train subset of 150: set the train subset to 100 or fewer, or import the complete archive',
    ]);
    expect((await datasetProblems([{ dataset: 'cifar10', trainSubset: 100 }], dataDir, noSystem)).shortfalls).toEqual([]);
    // Not decoded yet (no cache): the count is unknown until a run loads it, which checks then.
    expect((await datasetProblems([{ dataset: 'mnist', trainSubset: undefined }], dataDir, noSystem)).shortfalls).toEqual([]);
  });
});
