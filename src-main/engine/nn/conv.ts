import * as tf from '@tensorflow/tfjs-core';
import type { Padding } from '../../../src-shared/models/spec.js';
import { runsWinograd } from '../kernels/winograd.js';
import { MAX_COMPRESSED_DENSITY } from './compressed-weights.js';
import { conv2dBackpropFilter, conv2dBackpropInput, sparseConv2d, sparseConv2dGrad } from './kernels.js';
import { KernelParam } from './kernel-param.js';
import type { Buffer, ForwardContext, Module, Param } from './module.js';
import { sumLeadingAxes } from './reduce.js';

/**
 * 2-D convolution, NHWC, kernel [kh, kw, cIn, cOut]. When the sparsity controller has compressed
 * the kernel, both passes run on its active weights only, and the weight gradient
 * covers the active positions unless the step asks for dense gradients.
 */
export class Conv2D implements Module {
  readonly kernel: KernelParam;
  readonly bias: Param | null;
  private x: tf.Tensor4D | null = null;
  private denseGradients = true;

  constructor(
    name: string,
    kernel: tf.Tensor4D,
    bias: tf.Tensor1D | null,
    private readonly stride: number,
    private readonly padding: Padding,
    /** false: backward() returns null (the network's first layer). */
    private readonly inputGradient = true,
  ) {
    const limit = runsWinograd(kernel.shape, stride) ? MAX_COMPRESSED_DENSITY.winograd : MAX_COMPRESSED_DENSITY.channels;
    this.kernel = new KernelParam(`${name}.kernel`, name, kernel, 'channels', limit);
    this.bias = bias && { name: `${name}.bias`, layer: name, value: bias, grad: null, decay: false, maskable: false };
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    this.x = x as tf.Tensor4D;
    this.denseGradients = ctx.denseGradients;
    const packed = this.kernel.compressed;
    if (packed) return sparseConv2d(this.x, packed, this.bias?.value ?? null, this.stride, this.padding);
    const filter = this.kernel.value as tf.Tensor4D;
    if (!this.bias) return tf.conv2d(this.x, filter, this.stride, this.padding);
    return tf.fused.conv2d({ x: this.x, filter, strides: this.stride, pad: this.padding, bias: this.bias.value });
  }

  backward(dy: tf.Tensor): tf.Tensor | null {
    const x = this.x!;
    const dy4 = dy as tf.Tensor4D;
    if (this.bias) this.bias.grad = sumLeadingAxes(dy4);
    const packed = this.kernel.compressed;
    const filterShape = (packed?.shape ?? this.kernel.value.shape) as [number, number, number, number];
    if (packed) {
      const wanted = { activeGradient: !this.denseGradients, inputGradient: this.inputGradient };
      // The network's first layer on a dense-gradient step wants nothing of the compressed pass.
      const { grad, dx } = wanted.activeGradient || wanted.inputGradient ? sparseConv2dGrad(x, dy4, packed, this.stride, this.padding, wanted) : { grad: null, dx: null };
      this.kernel.grad = grad ?? conv2dBackpropFilter(x, dy4, filterShape, this.stride, this.padding);
      return dx;
    }
    this.kernel.grad = conv2dBackpropFilter(x, dy4, filterShape, this.stride, this.padding);
    return this.inputGradient ? conv2dBackpropInput(dy4, this.kernel.value as tf.Tensor4D, x.shape, this.stride, this.padding) : null;
  }

  params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  buffers(): Buffer[] {
    return [];
  }
}
