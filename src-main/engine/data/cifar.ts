import { DATASET_INFO } from '../../../src-shared/datasets.js';
import { DatasetError } from './errors.js';
import { CIFAR_LAYOUTS, type CifarName } from './formats.js';
import type { ImageSet } from './types.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXEL_BYTES = 3 * PLANE;
/** CIFAR-100's coarse label (the byte before the fine one) has 20 superclasses. */
const CIFAR100_COARSE_CLASSES = 20;

/**
 * Decodes one CIFAR binary batch file: records of label byte(s) then 1024 red, 1024 green and
 * 1024 blue bytes, each plane in rows of 32. Pixels are reordered to height × width × channels;
 * for CIFAR-100 the fine label (100 classes) is kept.
 */
export function decodeCifarBatch(bytes: Uint8Array, file: string, name: CifarName): ImageSet {
  const { labelBytes } = CIFAR_LAYOUTS[name];
  const classes = DATASET_INFO[name].classes;
  const recordBytes = labelBytes + PIXEL_BYTES;
  if (bytes.length === 0) throw new DatasetError(file, 'is empty');
  if (bytes.length % recordBytes !== 0) {
    throw new DatasetError(
      file,
      `wrong record size: ${bytes.length} bytes is not a whole number of ${recordBytes}-byte records ` +
        `(${labelBytes} label byte${labelBytes > 1 ? 's' : ''} + ${PIXEL_BYTES} pixels); truncated or not ${DATASET_INFO[name].label}`,
    );
  }
  const count = bytes.length / recordBytes;
  const images = new Uint8Array(count * PIXEL_BYTES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const record = i * recordBytes;
    if (labelBytes === 2 && bytes[record]! >= CIFAR100_COARSE_CLASSES) {
      throw new DatasetError(
        file,
        `coarse label ${bytes[record]} of record ${i} is out of range 0..${CIFAR100_COARSE_CLASSES - 1}`,
      );
    }
    const label = bytes[record + labelBytes - 1]!;
    if (label >= classes) throw new DatasetError(file, `label ${label} of record ${i} is out of range 0..${classes - 1}`);
    labels[i] = label;
    const pixels = record + labelBytes;
    const out = i * PIXEL_BYTES;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = bytes[pixels + p]!;
      images[out + 3 * p + 1] = bytes[pixels + PLANE + p]!;
      images[out + 3 * p + 2] = bytes[pixels + 2 * PLANE + p]!;
    }
  }
  return { images, labels, count, shape: [SIDE, SIDE, 3] };
}
