import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMaybeGzipped } from '../../src-main/engine/data/gzip.js';
import {
  TrainingBatches,
  channelStats,
  loadDataset,
  prepareTrainingData,
  type ChannelStats,
  type ImageSet,
  type LoadedDataset,
} from '../../src-main/engine/data/index.js';
import { decodeRawSource, locateRawSource } from '../../src-main/engine/data/sources.js';

/** Debian's dataset-fashion-mnist package (see platform-notes.md). */
const SYSTEM = '/usr/share/datasets/fashion-mnist';
const DECOMPRESSED_SHA256 = {
  'train-images-idx3-ubyte.gz': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte.gz': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte.gz': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte.gz': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

const dataDir = mkdtempSync(join(tmpdir(), 'data-fashion-'));
const systemDirs = { mnist: [], 'fashion-mnist': [SYSTEM], cifar10: [], cifar100: [] };
let first: LoadedDataset;
let firstMs = 0;

beforeAll(async () => {
  if (!existsSync(SYSTEM)) throw new Error(`${SYSTEM} is missing: apt-get install dataset-fashion-mnist`);
  const start = performance.now();
  first = await loadDataset('fashion-mnist', { dataDir, systemDirs });
  firstMs = performance.now() - start;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function classCounts(set: ImageSet): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of set.labels) counts[label]!++;
  return counts;
}

describe('Fashion-MNIST from the Debian package', () => {
  it('has the decompressed contents platform-notes.md records', async () => {
    for (const [file, sha] of Object.entries(DECOMPRESSED_SHA256)) {
      const bytes = await readMaybeGzipped(join(SYSTEM, file));
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(sha);
    }
  });

  it('loads 60000 + 10000 images of 28×28×1, 6000 / 1000 of each class', () => {
    expect(first.source).toBe(SYSTEM);
    expect(first.cachedIn).toBeNull();
    expect(first.train).toMatchObject({ count: 60000, shape: [28, 28, 1] });
    expect(first.test).toMatchObject({ count: 10000, shape: [28, 28, 1] });
    expect(first.train.images.length).toBe(60000 * 784);
    expect(classCounts(first.train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(first.test)).toEqual(new Array(10).fill(1000));
    // Fashion-MNIST's training pixel mean and std, widely quoted as 0.2860 and 0.3530.
    const stats = channelStats(first.train);
    expect(stats.mean[0]).toBeCloseTo(0.286, 3);
    expect(stats.std[0]).toBeCloseTo(0.353, 3);
  });

  it('reads the cache on the second load, with the same contents', async () => {
    expect(existsSync(join(dataDir, 'fashion-mnist', 'train.cache'))).toBe(true);
    const start = performance.now();
    const second = await loadDataset('fashion-mnist', { dataDir, systemDirs: { ...systemDirs, 'fashion-mnist': [] } });
    const secondMs = performance.now() - start;
    console.log(`Fashion-MNIST first load (decode .gz + write cache) ${firstMs.toFixed(0)} ms, cached load ${secondMs.toFixed(0)} ms`);
    expect(second.checksums).toEqual(first.checksums);
    expect(second.source).toBe(SYSTEM);
    expect(second.cachedIn).toBe(join(dataDir, 'fashion-mnist'));
    expect(Buffer.from(second.train.images).equals(Buffer.from(first.train.images))).toBe(true);
    expect(Buffer.from(second.test.labels).equals(Buffer.from(first.test.labels))).toBe(true);
  });

  it('measures decoding and batch assembly (printed, not asserted)', async () => {
    const start = performance.now();
    await decodeRawSource((await locateRawSource('fashion-mnist', SYSTEM))!);
    console.log(`Fashion-MNIST decode from the four .gz files: ${(performance.now() - start).toFixed(0)} ms`);

    const data = prepareTrainingData(first, { validationFraction: 0.1, seed: 0, trainSubset: undefined, testSubset: undefined });
    expect(data.train.count).toBe(54000);
    for (const augment of [false, true]) {
      console.log(`28×28×1 batches, augment ${augment}: ${throughput(data.train, data.stats, augment)} images/s`);
    }
    const images = new Uint8Array(10000 * 3072);
    for (let i = 0; i < images.length; i++) images[i] = Math.imul(i, 2654435761) >>> 24;
    const cifarLike: ImageSet = { images, labels: new Uint8Array(10000), count: 10000, shape: [32, 32, 3] };
    const stats = channelStats(cifarLike);
    for (const augment of [false, true]) {
      console.log(`32×32×3 batches, augment ${augment}: ${throughput(cifarLike, stats, augment)} images/s`);
    }
  });
});

function throughput(set: ImageSet, stats: ChannelStats, augment: boolean): number {
  const batches = new TrainingBatches(set, { batchSize: 128, seed: 1, stats, augment, oneHotClasses: 10 });
  batches.next();
  const steps = 200;
  const start = performance.now();
  for (let i = 0; i < steps; i++) batches.next();
  return Math.round((steps * 128) / ((performance.now() - start) / 1000));
}
