import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DATASET_INFO } from '../../../src-shared/datasets.js';
import { DATASETS, type DatasetName } from '../../../src-shared/names.js';
import { writeFileAtomic } from './atomic-file.js';
import { DatasetError } from './errors.js';
import { imageBytes } from './image-set.js';
import type { ImageSet } from './types.js';

/**
 * A decoded split on disk: 8 magic bytes, a little-endian uint32 header length, a JSON header,
 * then the images (count × height × width × channels bytes) and the labels (count bytes).
 * Bump CACHE_VERSION whenever what a cache holds changes, so old caches are rebuilt.
 */
export const CACHE_VERSION = 1;
const MAGIC = Buffer.from('RIGLDATA', 'ascii');
const PREAMBLE_BYTES = MAGIC.length + 4;
const MAX_HEADER_BYTES = 64 * 1024;

export const SPLITS = ['train', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

const cacheHeaderSchema = z.strictObject({
  version: z.literal(CACHE_VERSION),
  dataset: z.enum(DATASETS),
  split: z.enum(SPLITS),
  count: z.int().min(0),
  shape: z.tuple([z.int().min(1), z.int().min(1), z.int().min(1)]),
  classes: z.int().min(1),
  /** SHA-256 of the images then the labels. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The original files the split was decoded from. */
  source: z.string(),
});
export type CacheHeader = z.infer<typeof cacheHeaderSchema>;

export function splitSha256(set: ImageSet): string {
  return createHash('sha256').update(set.images).update(set.labels).digest('hex');
}

/** Writes one split's cache atomically; returns its header. */
export async function writeSplitCache(
  path: string,
  fields: Omit<CacheHeader, 'version' | 'count' | 'shape' | 'sha256'>,
  set: ImageSet,
): Promise<CacheHeader> {
  const header: CacheHeader = { version: CACHE_VERSION, ...fields, count: set.count, shape: set.shape, sha256: splitSha256(set) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  await writeFileAtomic(path, [MAGIC, length, json, set.images, set.labels]);
  return header;
}

/** Reads one split's cache, checking its version, dataset, size and SHA-256; errors name the file. */
export async function readSplitCache(
  path: string,
  dataset: DatasetName,
  split: SplitName,
): Promise<{ header: CacheHeader; set: ImageSet }> {
  const bytes = await readFile(path);
  const { header, payloadStart } = parseHeader(bytes, path, dataset, split);
  checkSize(bytes.length, payloadStart, header, path);
  const images = header.count * imageBytes(header);
  const set: ImageSet = {
    images: new Uint8Array(bytes.buffer, bytes.byteOffset + payloadStart, images),
    labels: new Uint8Array(bytes.buffer, bytes.byteOffset + payloadStart + images, header.count),
    count: header.count,
    shape: header.shape,
  };
  const bad = set.labels.findIndex((label) => label >= header.classes);
  if (bad >= 0) throw new DatasetError(path, `label ${set.labels[bad]} at index ${bad} is out of range 0..${header.classes - 1}`);
  const actual = splitSha256(set);
  if (actual !== header.sha256) {
    throw new DatasetError(path, `corrupt: contents have SHA-256 ${actual}, the header records ${header.sha256}`);
  }
  return { header, set };
}

/** The header and size of a cache, checked against each other but without reading the contents (for listings). */
export async function readCacheHeader(
  path: string,
  dataset: DatasetName,
  split: SplitName,
): Promise<{ header: CacheHeader; bytes: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const preamble = Buffer.alloc(PREAMBLE_BYTES);
    await handle.read(preamble, 0, PREAMBLE_BYTES, 0);
    const length = Math.min(preamble.readUInt32LE(MAGIC.length), MAX_HEADER_BYTES);
    const start = Buffer.alloc(PREAMBLE_BYTES + length);
    const { bytesRead } = await handle.read(start, 0, start.length, 0);
    const { header, payloadStart } = parseHeader(start.subarray(0, bytesRead), path, dataset, split);
    checkSize(size, payloadStart, header, path);
    return { header, bytes: size };
  } finally {
    await handle.close();
  }
}

function checkSize(size: number, payloadStart: number, header: CacheHeader, path: string): void {
  const expected = payloadStart + header.count * imageBytes(header) + header.count;
  if (size !== expected) {
    throw new DatasetError(path, `size mismatch: ${size} bytes, the header implies ${expected} (truncated or corrupt)`);
  }
}

function parseHeader(
  bytes: Buffer,
  path: string,
  dataset: DatasetName,
  split: SplitName,
): { header: CacheHeader; payloadStart: number } {
  if (bytes.length < PREAMBLE_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DatasetError(path, 'is not a rigl-lab dataset cache (bad magic)');
  }
  const length = bytes.readUInt32LE(MAGIC.length);
  if (length > MAX_HEADER_BYTES) throw new DatasetError(path, `corrupt: header length ${length}`);
  if (PREAMBLE_BYTES + length > bytes.length) {
    throw new DatasetError(path, `truncated: the ${length}-byte header does not fit in ${bytes.length} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length).toString('utf8'));
  } catch {
    throw new DatasetError(path, 'corrupt: the header is not JSON');
  }
  const version = typeof json === 'object' && json !== null && 'version' in json ? json.version : undefined;
  if (version !== CACHE_VERSION) {
    throw new DatasetError(path, `cache version ${String(version)}, this build reads version ${CACHE_VERSION}`);
  }
  const parsed = cacheHeaderSchema.safeParse(json);
  if (!parsed.success) {
    throw new DatasetError(path, `corrupt header: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const header = parsed.data;
  if (header.dataset !== dataset || header.split !== split) {
    throw new DatasetError(path, `holds the ${header.dataset} ${header.split} split, expected ${dataset} ${split}`);
  }
  const { imageShape, classes } = DATASET_INFO[dataset];
  if (header.shape.join() !== imageShape.join() || header.classes !== classes) {
    throw new DatasetError(
      path,
      `holds ${header.shape.join('×')} images in ${header.classes} classes, ${dataset} has ${imageShape.join('×')} in ${classes}`,
    );
  }
  return { header, payloadStart: PREAMBLE_BYTES + length };
}
