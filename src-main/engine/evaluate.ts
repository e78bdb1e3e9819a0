import * as tf from '@tensorflow/tfjs-core';
import { evaluationBatches, type ChannelStats, type ImageSet } from './data/index.js';
import { softmaxCrossEntropy } from './nn/loss.js';
import type { Sequential } from './nn/container.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
}

const EVAL_BATCH = 500;

/** Loss (without label smoothing) and accuracy over a whole split, BatchNorm in inference mode. */
export function evaluate(network: Sequential, set: ImageSet, stats: ChannelStats): Evaluation {
  const [h, w, c] = set.shape;
  let lossSum = 0;
  let correct = 0;
  for (const batch of evaluationBatches(set, EVAL_BATCH, stats)) {
    const [loss, right] = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, h, w, c]);
      const y = tf.tensor1d(batch.labels, 'int32');
      const logits = network.forward(x, { training: false, nextSeed: () => 0, denseGradients: false }, true) as tf.Tensor2D;
      const result = softmaxCrossEntropy(logits, y, 0);
      return [result.loss.dataSync()[0]!, result.correct.dataSync()[0]!];
    });
    lossSum += loss * batch.size;
    correct += right;
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}
