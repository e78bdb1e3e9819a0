import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet, TrainingBatches } from './data/index.js';
import { hasKernel, KERNEL_NAMES } from './kernels/names.js';
import { markBatchChunks } from './nn/batch-chunks.js';

/**
 * One training step's input: images [batch, h, w, c] (or [h·w·c, batch] in batch chunks, when asked
 * for and the backend can) and int32 labels, for the caller to dispose.
 */
export interface StepInput {
  x: tf.Tensor;
  y: tf.Tensor1D;
  size: number;
}

/**
 * A run's training batches as tensors. Where the backend has our batch kernel, the training
 * images are copied to the device once and each batch's pixels are written there from its plan,
 * on every thread, instead of being assembled on the host and uploaded (a third of a sparse
 * LeNet-300-100 step on wasm, measured). Elsewhere the host batch is uploaded.
 */
export class BatchInput {
  private readonly device: { images: tf.Tensor; table: tf.Tensor } | null;

  constructor(
    private readonly batches: TrainingBatches,
    private readonly set: ImageSet,
  ) {
    this.device = hasKernel(KERNEL_NAMES.assembleBatch) ? { images: tf.keep(bytesTensor(set.images)), table: tf.keep(tf.tensor1d(batches.table)) } : null;
  }

  /** `inBatchChunks`: for a network whose first layer takes its input so (see Sequential.takesBatchChunksFirst). */
  next(inBatchChunks = false): StepInput {
    const [h, w, c] = this.set.shape;
    if (this.device === null) {
      const batch = this.batches.next();
      return { x: tf.tensor4d(batch.images, [batch.size, h, w, c]), y: tf.tensor1d(batch.labels, 'int32'), size: batch.size };
    }
    const plan = this.batches.nextPlan();
    const size = plan.examples.length;
    const x = tf.tidy(() => {
      const inputs = { images: this.device!.images, table: this.device!.table, examples: tf.tensor1d(plan.examples, 'int32'), shifts: tf.tensor1d(plan.shifts, 'int32') };
      return tf.engine().runKernel(KERNEL_NAMES.assembleBatch, inputs, { shape: [h, w, c], toChunks: inBatchChunks }) as tf.Tensor;
    });
    if (inBatchChunks) markBatchChunks(x);
    return { x, y: tf.tensor1d(plan.batch.labels, 'int32'), size };
  }

  dispose(): void {
    if (this.device) tf.dispose([this.device.images, this.device.table]);
  }
}

/**
 * Bytes in an int32 tensor (four to an element, the last one zero-padded): tfjs has no byte type.
 * Whole aligned words (every image size the datasets have) are uploaded straight from a view: a
 * fresh host copy of 40 MB of images cost 0.12 s in page faults, the upload from a view 3 ms once
 * the heap has room.
 */
function bytesTensor(bytes: Uint8Array): tf.Tensor1D {
  if (bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0) return tf.tensor1d(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), 'int32');
  const words = new Int32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return tf.tensor1d(words, 'int32');
}
