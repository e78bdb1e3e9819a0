/**
 * Small, hand-made dataset files for tests: IDX (gzip or plain), CIFAR-10/100 binary batches,
 * and ustar .tar.gz archives. Pixel values and labels come from formulas of the example index,
 * so a test can say what any decoded byte must be without trusting the code under test.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR_LAYOUTS, IDX_FILES, type CifarName } from '../../src-main/engine/data/formats.js';
import type { ImageSet } from '../../src-main/engine/data/types.js';

export type CifarKind = CifarName;

/** The byte at row y, column x, channel c of example `example`. */
export function pixelValue(example: number, y: number, x: number, c: number): number {
  return (example * 37 + y * 11 + x * 5 + c * 71 + 13) & 255;
}

export function labelOf(example: number, classes: number): number {
  return (example * 7 + 3) % classes;
}

/** What a decoder must produce for examples first..first+count-1: height × width × channels bytes. */
export function expectedSet(first: number, count: number, shape: [number, number, number], classes: number): ImageSet {
  const [h, w, c] = shape;
  const images = new Uint8Array(count * h * w * c);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = labelOf(first + i, classes);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) images[((i * h + y) * w + x) * c + k] = pixelValue(first + i, y, x, k);
      }
    }
  }
  return { images, labels, count, shape };
}

// ---- IDX -------------------------------------------------------------------------------------

export function idxImagesBytes(set: ImageSet, magic = 2051): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(set.count, 4);
  header.writeUInt32BE(set.shape[0], 8);
  header.writeUInt32BE(set.shape[1], 12);
  return Buffer.concat([header, set.images]);
}

export function idxLabelsBytes(labels: Uint8Array, magic = 2049): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, labels]);
}

export interface SplitFixture {
  train: ImageSet;
  test: ImageSet;
}

/** Writes the four IDX files of a 28×28, 10-class dataset into `dir`; returns what they hold. */
export async function writeIdxDataset(dir: string, options: { train: number; test: number; gzip: boolean }): Promise<SplitFixture> {
  const train = expectedSet(0, options.train, [28, 28, 1], 10);
  const test = expectedSet(options.train, options.test, [28, 28, 1], 10);
  const suffix = options.gzip ? '.gz' : '';
  const pack = (bytes: Buffer): Buffer => (options.gzip ? gzipSync(bytes) : bytes);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, IDX_FILES.trainImages + suffix), pack(idxImagesBytes(train)));
  await writeFile(join(dir, IDX_FILES.trainLabels + suffix), pack(idxLabelsBytes(train.labels)));
  await writeFile(join(dir, IDX_FILES.testImages + suffix), pack(idxImagesBytes(test)));
  await writeFile(join(dir, IDX_FILES.testLabels + suffix), pack(idxLabelsBytes(test.labels)));
  return { train, test };
}

// ---- CIFAR -----------------------------------------------------------------------------------

export function cifarClasses(kind: CifarKind): number {
  return kind === 'cifar10' ? 10 : 100;
}

/**
 * Records for examples first..first+count-1 in the CIFAR binary layout, written straight from
 * pixelValue: label byte(s) (CIFAR-100: coarse = fine mod 20, then fine), then the red, green and
 * blue planes, each 32 rows of 32.
 */
export function cifarRecords(kind: CifarKind, first: number, count: number): Buffer {
  const labelBytes = kind === 'cifar10' ? 1 : 2;
  const record = labelBytes + 3072;
  const out = Buffer.alloc(count * record);
  for (let i = 0; i < count; i++) {
    const label = labelOf(first + i, cifarClasses(kind));
    const at = i * record;
    if (kind === 'cifar100') out[at] = label % 20;
    out[at + labelBytes - 1] = label;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) out[at + labelBytes + c * 1024 + y * 32 + x] = pixelValue(first + i, y, x, c);
      }
    }
  }
  return out;
}

export interface CifarFixture extends SplitFixture {
  /** Each batch file's path inside the archive or folder, and its bytes. */
  files: Array<{ name: string; data: Buffer }>;
}

/** The batch files of a CIFAR dataset with `trainPerFile` records in each training file. */
export function cifarFixture(kind: CifarKind, counts: { trainPerFile: number; test: number }): CifarFixture {
  const layout = CIFAR_LAYOUTS[kind];
  const files = layout.train.map((name, b) => ({
    name: `${layout.folder}/${name}`,
    data: cifarRecords(kind, b * counts.trainPerFile, counts.trainPerFile),
  }));
  const trainCount = layout.train.length * counts.trainPerFile;
  files.push({ name: `${layout.folder}/${layout.test[0]}`, data: cifarRecords(kind, trainCount, counts.test) });
  return {
    files,
    train: expectedSet(0, trainCount, [32, 32, 3], cifarClasses(kind)),
    test: expectedSet(trainCount, counts.test, [32, 32, 3], cifarClasses(kind)),
  };
}

/** Writes the unpacked folder (`<dir>/cifar-10-batches-bin/...`) as the official archive holds it. */
export async function writeCifarFolder(
  dir: string,
  kind: CifarKind,
  counts: { trainPerFile: number; test: number },
): Promise<CifarFixture> {
  const fixture = cifarFixture(kind, counts);
  for (const file of fixture.files) {
    await mkdir(dirname(join(dir, file.name)), { recursive: true });
    await writeFile(join(dir, file.name), file.data);
  }
  return fixture;
}

/**
 * Writes a .tar.gz laid out like the official archive: the folder entry, the batch files, and
 * a file the reader must skip.
 */
export async function writeCifarArchive(
  path: string,
  kind: CifarKind,
  counts: { trainPerFile: number; test: number },
): Promise<CifarFixture> {
  const fixture = cifarFixture(kind, counts);
  const folder = CIFAR_LAYOUTS[kind].folder;
  const archive = tarArchive([
    { name: `${folder}/`, directory: true },
    { name: `${folder}/readme.html`, data: Buffer.from('<p>not a batch</p>') },
    ...fixture.files,
  ]);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, gzipSync(archive));
  return fixture;
}

// ---- tar -------------------------------------------------------------------------------------

export type TarInput = { name: string; data: Buffer; directory?: false } | { name: string; directory: true };

/** A ustar archive (POSIX 1003.1-1988 headers, 512-byte blocks, two zero blocks at the end). */
export function tarArchive(entries: TarInput[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.directory ? Buffer.alloc(0) : entry.data;
    const header = Buffer.alloc(512);
    const field = (text: string, at: number, length: number): void => {
      header.write(text.slice(0, length), at, 'ascii');
    };
    field(entry.name, 0, 100);
    field(entry.directory ? '0000755\0' : '0000644\0', 100, 8);
    field('0000000\0', 108, 8);
    field('0000000\0', 116, 8);
    field(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    field('14000000000\0', 136, 12);
    field('        ', 148, 8);
    field(entry.directory ? '5' : '0', 156, 1);
    field('ustar\u000000', 257, 8);
    let sum = 0;
    for (const b of header) sum += b;
    field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
