import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { parseIdxImages, parseIdxLabels } from '../../src-main/engine/data/idx.js';
import { expectedSet, idxImagesBytes, idxLabelsBytes } from '../helpers/dataset-fixtures.js';

describe('IDX images', () => {
  it('reads count, rows, cols and the pixels after the 16-byte header', () => {
    // Two 2×3 images written by hand: magic 0x00000803, count 2, rows 2, cols 3.
    const bytes = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const images = parseIdxImages(bytes, 'x.idx');
    expect(images).toMatchObject({ count: 2, rows: 2, cols: 3 });
    expect([...images.pixels]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('rejects a bad magic, naming the file', () => {
    const bytes = idxImagesBytes(expectedSet(0, 2, [28, 28, 1], 10), 2050);
    expect(() => parseIdxImages(bytes, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: bad magic 2050, expected 2051 (IDX images)',
    );
  });

  it('says so when given a labels file instead of images', () => {
    expect(() => parseIdxImages(idxLabelsBytes(Uint8Array.of(1, 2)), 'f')).toThrow(
      'f: bad magic 2049 (an IDX labels file), expected 2051 (IDX images)',
    );
  });

  it('says so when the data is gzip-compressed but not named .gz', () => {
    const bytes = gzipSync(idxImagesBytes(expectedSet(0, 1, [28, 28, 1], 10)));
    expect(() => parseIdxImages(bytes, 'train-images-idx3-ubyte')).toThrow(/gzip-compressed; name it with \.gz/);
  });

  it('rejects a truncated file', () => {
    const bytes = idxImagesBytes(expectedSet(0, 3, [28, 28, 1], 10));
    expect(() => parseIdxImages(bytes.subarray(0, bytes.length - 1), 'imgs')).toThrow(
      'imgs: truncated: the header announces 3 images of 28×28 (2368 bytes) but the file has 2367',
    );
    expect(() => parseIdxImages(bytes.subarray(0, 10), 'imgs')).toThrow('imgs: truncated: 10 bytes, shorter than the 16-byte IDX header');
  });

  it('rejects more bytes than the header announces', () => {
    const bytes = Buffer.concat([idxImagesBytes(expectedSet(0, 2, [28, 28, 1], 10)), Buffer.alloc(784)]);
    expect(() => parseIdxImages(bytes, 'imgs')).toThrow('imgs: wrong count: the header announces 2 images of 28×28 (1584 bytes) but the file has 784 more bytes');
  });
});

describe('IDX labels', () => {
  it('reads the labels after the 8-byte header', () => {
    const labels = parseIdxLabels(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4]), 'l', 10);
    expect([...labels]).toEqual([9, 0, 4]);
  });

  it('rejects a label out of range, naming the file and index', () => {
    expect(() => parseIdxLabels(idxLabelsBytes(Uint8Array.of(3, 9, 10, 2)), 'train-labels-idx1-ubyte', 10)).toThrow(
      'train-labels-idx1-ubyte: label 10 at index 2 is out of range 0..9',
    );
  });

  it('rejects a truncated labels file', () => {
    const bytes = idxLabelsBytes(Uint8Array.of(1, 2, 3));
    expect(() => parseIdxLabels(bytes.subarray(0, 10), 'l', 10)).toThrow('l: truncated: the header announces 3 labels (11 bytes) but the file has 10');
  });
});
