import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import type { BackendSelection } from './types.js';

/** The pure-JavaScript backend: always there, and far the slowest for convolutions. */
export async function activateCpu(): Promise<BackendSelection> {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu: tfjs could not initialise its pure-JavaScript backend');
  // Its first tensor would print tfjs's "Hi, looks like you are running TensorFlow.js in Node.js"
  // banner on stderr, in the middle of a command's output: the run's backend line and the
  // README's GPU set-up say what runs and how to get a faster backend.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  return {
    name: 'cpu',
    tfBackend: 'cpu',
    reason: 'cpu: pure JavaScript, one thread (convolutional models train very slowly)',
    device: 'CPU (JavaScript)',
    versions: { 'tfjs-core': tf.version_core, 'tfjs-backend-cpu': version_cpu },
    threads: 1,
  };
}
