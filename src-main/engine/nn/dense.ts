import * as tf from '@tensorflow/tfjs-core';
import type { Buffer, Module, Param } from './module.js';

/** y = x·W + b with W of shape [nIn, nOut]. */
export class Dense implements Module {
  readonly kernel: Param;
  readonly bias: Param | null;
  private x: tf.Tensor2D | null = null;

  constructor(name: string, kernel: tf.Tensor2D, bias: tf.Tensor1D | null) {
    this.kernel = { name: `${name}.kernel`, layer: name, value: kernel, grad: null, decay: true, maskable: true };
    this.bias = bias && { name: `${name}.bias`, layer: name, value: bias, grad: null, decay: false, maskable: false };
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.x = x as tf.Tensor2D;
    const y = tf.matMul(this.x, this.kernel.value as tf.Tensor2D);
    return this.bias ? tf.add(y, this.bias.value) : y;
  }

  backward(dy: tf.Tensor): tf.Tensor {
    const x = this.x!;
    const dy2 = dy as tf.Tensor2D;
    // Explicit transposes: wasm's matMul with a transposed operand is ~10x slower.
    this.kernel.grad = tf.matMul(tf.transpose(x), dy2);
    if (this.bias) this.bias.grad = tf.sum(dy2, 0);
    return tf.matMul(dy2, tf.transpose(this.kernel.value as tf.Tensor2D));
  }

  params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  buffers(): Buffer[] {
    return [];
  }
}
