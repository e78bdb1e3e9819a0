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
  /** The original copy the data was decoded from (a file or folder), recorded with each run. */
  source: string;
  /** The folder of the decoded cache it was read from; null when it was decoded just now. */
  cachedIn: string | null;
  /** SHA-256 of each decoded split (images then labels), recorded with each run. */
  checksums: { train: string; test: string };
}

/** Per-channel mean and standard deviation of pixels on the [0, 1] scale. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

/**
 * One batch in the layout the model takes: `images` is [size, height, width, channels] of
 * normalised pixels, `labels` the class indices, `oneHot` [size, classes] when asked for.
 * The arrays are reused by the next batch of the same batcher.
 */
export interface Batch {
  images: Float32Array;
  labels: Int32Array;
  oneHot: Float32Array | null;
  size: number;
}
