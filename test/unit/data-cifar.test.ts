import { describe, expect, it } from 'vitest';
import { decodeCifarBatch } from '../../src-main/engine/data/cifar.js';
import { cifarRecords, expectedSet } from '../helpers/dataset-fixtures.js';

describe('CIFAR binary batches', () => {
  it('moves the R, G and B planes to height × width × channels', () => {
    // One record by hand: label 7, red plane all 10 except (row 1, col 2) = 200, green 20, blue 30.
    const record = new Uint8Array(1 + 3072);
    record[0] = 7;
    record.fill(10, 1, 1025);
    record.fill(20, 1025, 2049);
    record.fill(30, 2049, 3073);
    record[1 + 1 * 32 + 2] = 200;
    const set = decodeCifarBatch(record, 'one.bin', 'cifar10');
    expect(set.count).toBe(1);
    expect(set.shape).toEqual([32, 32, 3]);
    expect([...set.labels]).toEqual([7]);
    expect([...set.images.subarray(0, 3)]).toEqual([10, 20, 30]);
    const at = (1 * 32 + 2) * 3;
    expect([...set.images.subarray(at, at + 3)]).toEqual([200, 20, 30]);
  });

  it('decodes generated CIFAR-10 records to the expected images and labels', () => {
    const set = decodeCifarBatch(cifarRecords('cifar10', 5, 4), 'b.bin', 'cifar10');
    const expected = expectedSet(5, 4, [32, 32, 3], 10);
    expect(set.labels).toEqual(expected.labels);
    expect(Buffer.from(set.images).equals(Buffer.from(expected.images))).toBe(true);
  });

  it('keeps the fine label of CIFAR-100 (100 classes)', () => {
    const set = decodeCifarBatch(cifarRecords('cifar100', 0, 30), 'train.bin', 'cifar100');
    const expected = expectedSet(0, 30, [32, 32, 3], 100);
    expect(set.labels).toEqual(expected.labels);
    expect(Math.max(...set.labels)).toBeGreaterThan(19);
    expect(Buffer.from(set.images).equals(Buffer.from(expected.images))).toBe(true);
  });

  it('rejects a size that is not a whole number of records', () => {
    const bytes = cifarRecords('cifar10', 0, 2).subarray(0, 3073 * 2 - 5);
    expect(() => decodeCifarBatch(bytes, 'data_batch_1.bin', 'cifar10')).toThrow(
      /^data_batch_1\.bin: wrong record size: 6141 bytes is not a whole number of 3073-byte records/,
    );
    // A CIFAR-100 file read as CIFAR-10 has 3074-byte records.
    expect(() => decodeCifarBatch(cifarRecords('cifar100', 0, 3), 'test.bin', 'cifar10')).toThrow(/test\.bin: wrong record size/);
  });

  it('rejects label 10 in a 10-class set, naming the file and record', () => {
    const bytes = cifarRecords('cifar10', 0, 3);
    bytes[2 * 3073] = 10;
    expect(() => decodeCifarBatch(bytes, 'test_batch.bin', 'cifar10')).toThrow('test_batch.bin: label 10 of record 2 is out of range 0..9');
  });

  it('rejects an out-of-range CIFAR-100 coarse label', () => {
    const bytes = cifarRecords('cifar100', 0, 2);
    bytes[3074] = 20;
    expect(() => decodeCifarBatch(bytes, 'train.bin', 'cifar100')).toThrow('train.bin: coarse label 20 of record 1 is out of range 0..19');
  });

  it('rejects an empty file', () => {
    expect(() => decodeCifarBatch(new Uint8Array(0), 'e.bin', 'cifar10')).toThrow('e.bin: is empty');
  });
});
