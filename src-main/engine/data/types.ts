import type { DatasetName } from '../../../src-shared/names.js';

/** Images of one split as bytes, height × width × channels per image, labels as class indices. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
}

export interface LoadedDataset {
  name: DatasetName;
  train: ImageSet;
  test: ImageSet;
  classes: number;
  /** Where the data was read from (a file or folder), recorded with each run. */
  source: string;
}
