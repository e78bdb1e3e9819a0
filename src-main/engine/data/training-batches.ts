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
 * Which examples a batch holds and how each is augmented, for whoever writes its pixels (see
 * writeImage): row r is example examples[r], shifted by shifts[3r] rows and shifts[3r + 1]
 * columns, mirrored first when shifts[3r + 2] is 1.
 */
export interface BatchPlan {
  examples: Int32Array;
  shifts: Int32Array;
  /** The batch, with its labels written and its images not yet. */
  batch: Batch;
}

/**
 * Endless training batches: each epoch visits the set in a fresh seeded order, in
 * floor(count / batchSize) full batches (the remainder is dropped). `next()` fills the same
 * preallocated arrays every time, so a batch is valid until the next call; `nextPlan()` takes the
 * same step but leaves the pixels to the caller (a kernel that writes them on the device).
 */
export class TrainingBatches {
  readonly batchesPerEpoch: number;
  /** Normalised value of each byte, by channel (see normalizationTable). */
  readonly table: Float32Array;
  private readonly buffers: Batch;
  private readonly plan: BatchPlan;
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
    this.plan = { examples: new Int32Array(options.batchSize), shifts: new Int32Array(3 * options.batchSize), batch: this.buffers };
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
    const { examples, shifts } = this.nextPlan();
    const size = imageBytes(this.set);
    for (let row = 0; row < examples.length; row++) {
      const [dy, dx, flip] = [shifts[3 * row]!, shifts[3 * row + 1]!, shifts[3 * row + 2] === 1];
      writeImage(this.set.images, examples[row]! * size, this.set.shape, this.table, this.buffers.images, row * size, dy, dx, flip);
    }
    return this.buffers;
  }

  /** The next batch's examples, augmentation and labels; its images are the caller's to write. */
  nextPlan(): BatchPlan {
    if (this.batch === this.batchesPerEpoch) {
      this.epoch++;
      this.batch = 0;
      this.epochOrderState = this.nextEpochOrderState;
      this.nextEpochOrderState = this.shuffle(this.epochOrderState);
    }
    const { batchSize, augment } = this.options;
    const { examples, shifts } = this.plan;
    const span = 2 * CROP_PADDING + 1;
    for (let row = 0; row < batchSize; row++) {
      const example = this.order[this.batch * batchSize + row]!;
      examples[row] = example;
      if (augment) {
        shifts[3 * row] = this.augmentation.int(span) - CROP_PADDING;
        shifts[3 * row + 1] = this.augmentation.int(span) - CROP_PADDING;
        shifts[3 * row + 2] = this.augmentation.next() < 0.5 ? 1 : 0;
      }
      writeLabel(this.buffers, row, this.set.labels[example]!);
    }
    this.batch++;
    return this.plan;
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
