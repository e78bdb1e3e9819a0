import * as tf from '@tensorflow/tfjs-core';
import type { Padding } from '../../../src-shared/models/spec.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels.js';
import { KernelParam } from './kernel-param.js';
import type { Buffer, Module, Param } from './module.js';
import { sumLeadingAxes } from './reduce.js';

/** 2-D convolution, NHWC, kernel [kh, kw, cIn, cOut]. */
export class Conv2D implements Module {
  readonly kernel: KernelParam;
  readonly bias: Param | null;
  private x: tf.Tensor4D | null = null;

  constructor(
    name: string,
    kernel: tf.Tensor4D,
    bias: tf.Tensor1D | null,
    private readonly stride: number,
    private readonly padding: Padding,
    /** false: backward() returns null (the network's first layer). */
    private readonly inputGradient = true,
  ) {
    this.kernel = new KernelParam(`${name}.kernel`, name, kernel);
    this.bias = bias && { name: `${name}.bias`, layer: name, value: bias, grad: null, decay: false, maskable: false };
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.x = x as tf.Tensor4D;
    const filter = this.kernel.value as tf.Tensor4D;
    if (!this.bias) return tf.conv2d(this.x, filter, this.stride, this.padding);
    return tf.fused.conv2d({ x: this.x, filter, strides: this.stride, pad: this.padding, bias: this.bias.value });
  }

  backward(dy: tf.Tensor): tf.Tensor | null {
    const x = this.x!;
    const dy4 = dy as tf.Tensor4D;
    const filter = this.kernel.value as tf.Tensor4D;
    this.kernel.grad = conv2dBackpropFilter(x, dy4, filter.shape, this.stride, this.padding);
    if (this.bias) this.bias.grad = sumLeadingAxes(dy4);
    return this.inputGradient ? conv2dBackpropInput(dy4, filter, x.shape, this.stride, this.padding) : null;
  }

  params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  buffers(): Buffer[] {
    return [];
  }
}
