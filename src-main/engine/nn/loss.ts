import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { isInBatchChunks, markBatchChunks } from './batch-chunks.js';

export interface LossResult {
  /** Mean cross-entropy over the batch (a scalar). */
  loss: tf.Scalar;
  /** Examples whose arg-max logit is the label. */
  correct: tf.Scalar;
  /** dL/dlogits. */
  dLogits: tf.Tensor2D;
}

/**
 * Softmax cross-entropy against labels smoothed by ε: targets (1 − ε)·onehot + ε/K, and the
 * gradient (softmax − targets)/B. Logits in batch chunks (from a compressed output layer, see
 * Sequential.forward) give dL/dlogits in batch chunks.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing: number): LossResult {
  const inChunks = isInBatchChunks(logits);
  if (hasKernel(KERNEL_NAMES.softmaxCrossEntropy)) {
    const [loss, correct, dLogits] = tf.engine().runKernel(KERNEL_NAMES.softmaxCrossEntropy, { logits, labels }, { smoothing, inChunks }) as tf.Tensor[];
    return { loss: loss as tf.Scalar, correct: correct as tf.Scalar, dLogits: inChunks ? markBatchChunks(dLogits as tf.Tensor2D) : (dLogits as tf.Tensor2D) };
  }
  // Only our wasm kernels make batch chunks, and they come with the loss kernel above.
  if (inChunks) throw new Error('softmaxCrossEntropy: logits in batch chunks need the wasm loss kernel');
  const [batch, classes] = logits.shape;
  const onehot = tf.oneHot(labels, classes);
  const targets = smoothing > 0 ? tf.add(tf.mul(onehot, 1 - smoothing), smoothing / classes) : onehot;
  const logProbs = tf.logSoftmax(logits);
  const loss = tf.neg(tf.div(tf.sum(tf.mul(targets, logProbs)), batch)) as tf.Scalar;
  const dLogits = tf.div(tf.sub(tf.exp(logProbs), targets), batch) as tf.Tensor2D;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar;
  return { loss, correct, dLogits };
}
