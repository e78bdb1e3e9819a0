import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Residual, Sequential } from '../../src-main/engine/nn/container.js';
import type { Module } from '../../src-main/engine/nn/module.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** y = 2x, making one tensor forward and one backward and keeping none. */
class Double implements Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(x, x);
  }
  backward(dy: tf.Tensor): tf.Tensor {
    return tf.add(dy, dy);
  }
  params() {
    return [];
  }
  buffers() {
    return [];
  }
}

/** Bytes of one [4, 5] float tensor, the size of every activation and gradient below. */
const T = 4 * 5 * 4;
const training = { training: true, nextSeed: () => 0, denseGradients: false };

/** Tensor bytes alive after `f`, within one tidy (what a training step holds before it ends), less those before. */
function bytesHeldBy(f: () => void): number {
  return tf.tidy(() => {
    const before = tf.memory().numBytes;
    f();
    return tf.memory().numBytes - before;
  });
}

describe('tensor memory of a step', () => {
  let x: tf.Tensor;
  beforeAll(() => {
    x = tf.ones([4, 5]);
  });

  it('frees each gradient between modules once the module before has used it', () => {
    // Three activations (3T), dy and dx (2T); the two gradients in between are freed: 5T, not 7T.
    const net = new Sequential([new Double(), new Double(), new Double()]);
    expect(
      bytesHeldBy(() => {
        net.forward(x, training);
        const dx = net.backward(tf.onesLike(x))!;
        expect(Array.from(dx.dataSync())).toEqual(new Array(20).fill(8));
      }),
    ).toBe(5 * T);
  });

  it("leaves the caller's gradient to the caller: an identity shortcut returns it, and the sum is right", () => {
    const block = new Residual(new Sequential([new Double(), new Double()]), new Sequential([]));
    const held = bytesHeldBy(() => {
      const dy = tf.onesLike(x);
      block.forward(x, training);
      const dx = block.backward(dy);
      expect(dy.isDisposed).toBe(false);
      // 4 through the two doublings, plus 1 through the shortcut.
      expect(Array.from(dx.dataSync())).toEqual(new Array(20).fill(5));
    });
    // Two activations and their sum with the shortcut (3T), dy and dx (2T); the gradient between
    // the doublings and the main branch's are freed.
    expect(held).toBe(5 * T);
  });

  it('in evaluation, keeps only the output: each activation goes once the next exists', () => {
    const net = new Sequential([new Double(), new Double(), new Double()]);
    expect(bytesHeldBy(() => void net.forward(x, { ...training, training: false }))).toBe(T);
  });
});
