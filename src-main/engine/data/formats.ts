import type { DatasetName } from '../../../src-shared/names.js';

/** The four files of an IDX dataset (MNIST, Fashion-MNIST), each optionally gzip-compressed (`.gz`). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export type IdxRole = keyof typeof IDX_FILES;

export interface CifarLayout {
  /** Name of the official archive. */
  archive: string;
  /** The folder the archive unpacks to. */
  folder: string;
  train: readonly string[];
  test: readonly string[];
  /** Label bytes before each image: CIFAR-100 has a coarse then a fine label. */
  labelBytes: 1 | 2;
}

export const CIFAR_LAYOUTS = {
  cifar10: {
    archive: 'cifar-10-binary.tar.gz',
    folder: 'cifar-10-batches-bin',
    train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
    test: ['test_batch.bin'],
    labelBytes: 1,
  },
  cifar100: {
    archive: 'cifar-100-binary.tar.gz',
    folder: 'cifar-100-binary',
    train: ['train.bin'],
    test: ['test.bin'],
    labelBytes: 2,
  },
} as const satisfies Record<string, CifarLayout>;
export type CifarName = keyof typeof CIFAR_LAYOUTS;

export function isCifar(name: DatasetName): name is CifarName {
  return name === 'cifar10' || name === 'cifar100';
}
