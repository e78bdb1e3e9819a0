import { DatasetError } from './errors.js';
import { isGzip } from './gzip.js';

/** IDX magic numbers: 0x08 (unsigned byte) data with 3 dimensions (images) or 1 (labels). */
const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, a view into the file's bytes. */
  pixels: Uint8Array;
}

/** Parses an IDX images file (magic 2051, then big-endian count, rows, cols, then the pixels). */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  checkHeader(bytes, file, IMAGES_MAGIC, IMAGES_HEADER_BYTES);
  const view = dataView(bytes);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows === 0 || cols === 0) throw new DatasetError(file, `header gives an image size of ${rows}×${cols}`);
  const expected = IMAGES_HEADER_BYTES + count * rows * cols;
  checkLength(bytes, file, expected, `${count} images of ${rows}×${cols}`);
  return { count, rows, cols, pixels: bytes.subarray(IMAGES_HEADER_BYTES, expected) };
}

/** Parses an IDX labels file (magic 2049, then a big-endian count, then one byte per label). */
export function parseIdxLabels(bytes: Uint8Array, file: string, classes: number): Uint8Array {
  checkHeader(bytes, file, LABELS_MAGIC, LABELS_HEADER_BYTES);
  const count = dataView(bytes).getUint32(4);
  const expected = LABELS_HEADER_BYTES + count;
  checkLength(bytes, file, expected, `${count} labels`);
  const labels = bytes.subarray(LABELS_HEADER_BYTES, expected);
  const bad = labels.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new DatasetError(file, `label ${labels[bad]} at index ${bad} is out of range 0..${classes - 1}`);
  }
  return labels;
}

function checkHeader(bytes: Uint8Array, file: string, magic: number, headerBytes: number): void {
  const truncated = (): DatasetError =>
    new DatasetError(file, `truncated: ${bytes.length} bytes, shorter than the ${headerBytes}-byte IDX header`);
  if (bytes.length < 4) throw truncated();
  const found = dataView(bytes).getUint32(0);
  if (found !== magic) {
    const wanted = `${magic} (IDX ${magic === IMAGES_MAGIC ? 'images' : 'labels'})`;
    if (isGzip(bytes)) {
      throw new DatasetError(file, `bad magic: expected ${wanted} but the file is gzip-compressed; name it with .gz`);
    }
    const other = found === IMAGES_MAGIC ? ' (an IDX images file)' : found === LABELS_MAGIC ? ' (an IDX labels file)' : '';
    throw new DatasetError(file, `bad magic ${found}${other}, expected ${wanted}`);
  }
  if (bytes.length < headerBytes) throw truncated();
}

function checkLength(bytes: Uint8Array, file: string, expected: number, what: string): void {
  if (bytes.length < expected) {
    throw new DatasetError(file, `truncated: the header announces ${what} (${expected} bytes) but the file has ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      file,
      `wrong count: the header announces ${what} (${expected} bytes) but the file has ${bytes.length - expected} more bytes`,
    );
  }
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
