import * as tf from '@tensorflow/tfjs-core';
import type { EvalSet } from './batches.js';
import { softmaxCrossEntropy } from './nn/loss.js';
import type { Module } from './nn/module.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
}

const EVAL_BATCH = 500;

/** Loss (without label smoothing) and accuracy over a whole split, BatchNorm in inference mode. */
export function evaluate(network: Module, set: EvalSet, imageShape: [number, number, number]): Evaluation {
  let lossSum = 0;
  let correct = 0;
  for (const batch of set.batches(EVAL_BATCH)) {
    const [loss, right] = tf.tidy(() => {
      const x = tf.tensor4d(batch.images.subarray(0, batch.count * imageShape[0] * imageShape[1] * imageShape[2]), [batch.count, ...imageShape]);
      const y = tf.tensor1d(batch.labels.subarray(0, batch.count), 'int32');
      const logits = network.forward(x, { training: false, nextSeed: () => 0 }) as tf.Tensor2D;
      const result = softmaxCrossEntropy(logits, y, 0);
      return [result.loss.dataSync()[0]!, result.correct.dataSync()[0]!];
    });
    lossSum += loss * batch.count;
    correct += right;
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}
