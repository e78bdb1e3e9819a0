import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_NAMES } from '../kernels/names.js';

/*
 * Activations in batch chunks: a [features, batch] matrix stored by chunk of BATCH_CHUNK examples,
 * each chunk a [features, examples] block of its own (kernels/assembly/memory.as chunkBlock), the
 * layout the compressed layers compute in. A compressed layer's output stays in it for the
 * modules that take it as it comes (a ReLU, the next compressed layer), saving two transposes
 * each way between them; Sequential turns it back to [batch, features] for any other module (and
 * at the network's output, unless the loss takes it as it is), and turns that module's input
 * gradient the other way. A shape cannot tell the layouts apart, so tensors in batch chunks are
 * recorded here.
 */
const inBatchChunks = new WeakSet<tf.Tensor>();

/** Records that `t` is in batch chunks and returns it. */
export function markBatchChunks<T extends tf.Tensor>(t: T): T {
  inBatchChunks.add(t);
  return t;
}

export function isInBatchChunks(t: tf.Tensor): boolean {
  return inBatchChunks.has(t);
}

/** [batch, n] to [n, batch] in batch chunks. */
export function toBatchChunks(x: tf.Tensor): tf.Tensor2D {
  return markBatchChunks(tf.engine().runKernel(KERNEL_NAMES.batchChunks, { x }, { toBatchMajor: false }) as tf.Tensor2D);
}

/** [n, batch] in batch chunks to [batch, n]. */
export function fromBatchChunks(x: tf.Tensor): tf.Tensor2D {
  return tf.engine().runKernel(KERNEL_NAMES.batchChunks, { x }, { toBatchMajor: true }) as tf.Tensor2D;
}
