import { z } from 'zod';
import { Random, type RandomState } from '../../../src-shared/random.js';
import { allocateBatch, checkBatchSize, writeLabel } from './batch-buffers.js';
import { imageBytes } from './image-set.js';
import { normalizationTable } from './normalization.js';
import { DATA_STREAMS } from './random-streams.js';
import type { Batch, ChannelStats, ImageSet } from './types.js';
import { CROP_PADDING, writeImage } from './write-image.js';

export interface TrainingBatchOptions {
  batchSize: number;
  /** The run's seed; the order and augmentation streams are derived from it. */
  seed: number;
  /** Training-split statistics used to normalise every pixel. */
  stats: ChannelStats;
  /** Random 4-pixel-padded crop and random horizontal flip (the CIFAR recipe). */
  augment: boolean;
  /** Also fill `oneHot` for this many classes. */
  oneHotClasses?: number;
}

const randomStateSchema = z
  .tuple([z.uint32(), z.uint32(), z.uint32(), z.uint32()])
  .refine((s) => s.some((v) => v !== 0), 'must not be all zero');

/**
 * Where a batcher is: `batch` is the index within `epoch` of the next batch (equal to
 * batchesPerEpoch once an epoch is done), `order` the order-stream state this epoch's shuffle
 * started from, `augmentation` the augmentation stream's current state. Parse checkpoints with it.
 */
export const trainingBatchStateSchema = z.strictObject({
  epoch: z.int().min(0),
  batch: z.int().min(0),
  order: randomStateSchema,
  augmentation: randomStateSchema,
});
export type TrainingBatchState = z.infer<typeof trainingBatchStateSchema>;

/**
 * Endless training batches: each epoch visits the set in a fresh seeded order, in
 * floor(count / batchSize) full batches (the remainder is dropped). `next()` fills the same
 * preallocated arrays every time, so a batch is valid until the next call.
 */
export class TrainingBatches {
  readonly batchesPerEpoch: number;
  private readonly buffers: Batch;
  private readonly table: Float32Array;
  private readonly order: Uint32Array;
  private epoch = 0;
  private batch = 0;
  private epochOrderState: RandomState;
  private nextEpochOrderState: RandomState;
  private augmentation: Random;

  constructor(
    private readonly set: ImageSet,
    private readonly options: TrainingBatchOptions,
  ) {
    checkBatchSize(options.batchSize);
    if (options.batchSize > set.count) {
      throw new RangeError(`batch size ${options.batchSize} is larger than the ${set.count} training examples`);
    }
    this.batchesPerEpoch = Math.floor(set.count / options.batchSize);
    this.buffers = allocateBatch(options.batchSize, imageBytes(set), options.oneHotClasses ?? null);
    this.table = normalizationTable(options.stats);
    this.order = new Uint32Array(set.count);
    this.augmentation = Random.derive(options.seed, DATA_STREAMS.augmentation);
    this.epochOrderState = Random.derive(options.seed, DATA_STREAMS.order).state();
    this.nextEpochOrderState = this.shuffle(this.epochOrderState);
  }

  /** The epoch (from 0) and batch index of the batch `next()` returns next. */
  get position(): { epoch: number; batch: number } {
    return this.batch === this.batchesPerEpoch ? { epoch: this.epoch + 1, batch: 0 } : { epoch: this.epoch, batch: this.batch };
  }

  next(): Batch {
    if (this.batch === this.batchesPerEpoch) {
      this.epoch++;
      this.batch = 0;
      this.epochOrderState = this.nextEpochOrderState;
      this.nextEpochOrderState = this.shuffle(this.epochOrderState);
    }
    const { batchSize, augment } = this.options;
    const size = imageBytes(this.set);
    const span = 2 * CROP_PADDING + 1;
    for (let row = 0; row < batchSize; row++) {
      const example = this.order[this.batch * batchSize + row]!;
      let dy = 0;
      let dx = 0;
      let flip = false;
      if (augment) {
        dy = this.augmentation.int(span) - CROP_PADDING;
        dx = this.augmentation.int(span) - CROP_PADDING;
        flip = this.augmentation.next() < 0.5;
      }
      writeImage(this.set.images, example * size, this.set.shape, this.table, this.buffers.images, row * size, dy, dx, flip);
      writeLabel(this.buffers, row, this.set.labels[example]!);
    }
    this.batch++;
    return this.buffers;
  }

  state(): TrainingBatchState {
    return { epoch: this.epoch, batch: this.batch, order: this.epochOrderState, augmentation: this.augmentation.state() };
  }

  /** Continues exactly where `state()` was taken, for the same set, batch size and options. */
  restore(state: TrainingBatchState): void {
    const parsed = trainingBatchStateSchema.parse(state);
    if (parsed.batch > this.batchesPerEpoch) {
      throw new RangeError(`batch ${parsed.batch} is past the ${this.batchesPerEpoch} batches of an epoch`);
    }
    this.epoch = parsed.epoch;
    this.batch = parsed.batch;
    this.epochOrderState = parsed.order;
    this.nextEpochOrderState = this.shuffle(parsed.order);
    this.augmentation = new Random(parsed.augmentation);
  }

  /** Puts the permutation drawn from `from` in `order`; returns the stream's state after the draw. */
  private shuffle(from: RandomState): RandomState {
    for (let i = 0; i < this.order.length; i++) this.order[i] = i;
    const random = new Random(from);
    random.shuffle(this.order);
    return random.state();
  }
}
