import * as tf from '@tensorflow/tfjs-core';
import { fromBatchChunks, isInBatchChunks } from './batch-chunks.js';
import type { CompressedWeights } from './compressed-weights.js';
import { compressedDense, compressedDenseGrad } from './kernels.js';
import { KernelParam } from './kernel-param.js';
import type { Buffer, ForwardContext, Module, Param } from './module.js';
import { sumLeadingAxes } from './reduce.js';

/**
 * y = x·W + b with W of shape [nIn, nOut]. When the sparsity controller has compressed W, the
 * products run on its active weights only (CSR kernels over activations in batch chunks, which
 * it takes and gives as they are: batch-chunks.ts) and the weight gradient covers the active
 * positions, unless the step asks for dense gradients.
 */
export class Dense implements Module {
  readonly kernel: KernelParam;
  readonly bias: Param | null;
  private x: tf.Tensor2D | null = null;
  /** The compressed path's input in batch chunks. */
  private xT: tf.Tensor2D | null = null;
  private denseGradients = true;

  /** `inputGradient` false: backward() returns null (the network's first layer). */
  constructor(
    name: string,
    kernel: tf.Tensor2D,
    bias: tf.Tensor1D | null,
    private readonly inputGradient = true,
  ) {
    this.kernel = new KernelParam(`${name}.kernel`, name, kernel);
    this.bias = bias && { name: `${name}.bias`, layer: name, value: bias, grad: null, decay: false, maskable: false };
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    this.x = x as tf.Tensor2D;
    this.denseGradients = ctx.denseGradients;
    const packed = this.kernel.compressed;
    if (packed) {
      const { yT, xT } = compressedDense(this.x, packed, this.bias?.value ?? null);
      this.xT = xT;
      return yT;
    }
    this.xT = null;
    const b = this.kernel.value as tf.Tensor2D;
    return this.bias ? tf.fused.matMul({ a: this.x, b, bias: this.bias.value }) : tf.matMul(this.x, b);
  }

  takesBatchChunks(): boolean {
    return this.kernel.compressed !== null;
  }

  backward(dy: tf.Tensor): tf.Tensor | null {
    const dy2 = dy as tf.Tensor2D;
    const packed = this.kernel.compressed;
    return packed ? this.backwardCompressed(dy2, packed) : this.backwardDense(dy2);
  }

  private backwardDense(dy: tf.Tensor2D): tf.Tensor | null {
    if (this.bias) this.bias.grad = sumLeadingAxes(dy);
    this.kernel.grad = tf.matMul(this.x!, dy, true, false);
    return this.inputGradient ? tf.matMul(dy, this.kernel.value as tf.Tensor2D, false, true) : null;
  }

  /**
   * The dense gradient (xᵀ·dy over every position, batch-major) only when the step asks for it;
   * else the active positions'. dyT is in batch chunks, as the forward pass gave y.
   */
  private backwardCompressed(dyT: tf.Tensor2D, packed: CompressedWeights): tf.Tensor | null {
    const xT = this.xT!;
    const inputChunks = isInBatchChunks(this.x!);
    const { grad, dbias, dx } = compressedDenseGrad(dyT, xT, packed, {
      activeGradient: !this.denseGradients,
      biasGradient: this.bias !== null,
      inputGradient: this.inputGradient,
      inputChunks,
    });
    this.kernel.grad = grad ?? tf.matMul(inputChunks ? fromBatchChunks(xT) : this.x!, fromBatchChunks(dyT), true, false);
    if (this.bias) this.bias.grad = dbias;
    return dx;
  }

  params(): Param[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  buffers(): Buffer[] {
    return [];
  }
}
