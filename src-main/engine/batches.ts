/** What the trainer needs from the data pipeline: normalised batches in NHWC order. */
export interface Batch {
  images: Float32Array;
  labels: Int32Array;
  /** Examples in this batch (the last evaluation batch may be short). */
  count: number;
}

export interface TrainBatchSource {
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  /** Fills and returns the next training batch; a new epoch reshuffles. */
  next(): Batch;
}

export interface EvalSet {
  readonly count: number;
  /** Every example once, in a fixed order. */
  batches(batchSize: number): Iterable<Batch>;
}
