import * as tf from '@tensorflow/tfjs-core';
import { isInBatchChunks } from './batch-chunks.js';
import { hasKernel, KERNEL_NAMES } from '../kernels/names.js';
import { compressedDense, compressedDenseGrad, reluGrad, type RowWeights } from './kernels.js';
import { MAX_COMPRESSED_DENSITY } from './compressed-weights.js';
import { KernelParam } from './kernel-param.js';
import type { Buffer, ForwardContext, Module, Param } from './module.js';
import { sumLeadingAxes } from './reduce.js';

/** How a Dense layer is built: `inputGradient` false (the network's first layer) makes backward() return null; `relu` puts a ReLU on its output. */
export interface DenseOptions {
  inputGradient?: boolean;
  relu?: boolean;
}

/**
 * Widest output of a dense layer that takes activations in batch chunks (from a compressed layer)
 * on the compressed kernels with every position indexed, rather than turning them batch-major for
 * the dense product and its gradient back into chunks: an output layer. LeNet-300-100's 100 to 10
 * (RigL-ERK 90%, batch 128, two threads): its kernels took 61 µs a step against 77 µs with the
 * two transposes and three dense products, and the step 0.71–0.73 ms against 0.74. LeNet-5's 500
 * to 10 breaks even: 170 µs against 169.
 */
const NARROW_OUTPUTS = 16;

/**
 * Outputs of Dense layers' ReLUs, and input gradients already multiplied by ReLU's gradient, each
 * with the ReLU output it was taken from. A layer on compressed kernels whose input is another
 * layer's ReLU output applies that ReLU's gradient as it makes dx (one pass fewer over dx);
 * the other layer then finds its own output here and skips reluGrad. Such a dx is not dL/dx but
 * the gradient of the ReLU's input: only the layer whose output it was masked by takes it as is.
 */
const reluOutputs = new WeakSet<tf.Tensor>();
const reluAppliedBy = new WeakMap<tf.Tensor, tf.Tensor>();

/**
 * y = x·W + b (through a ReLU, with `relu`) with W of shape [nIn, nOut]. When the sparsity
 * controller has compressed W, the products run on its active weights only (CSR kernels over
 * activations in batch chunks, which it takes and gives as they are: batch-chunks.ts; the ReLU
 * is applied in the same pass) and the weight gradient covers the active positions, unless the
 * step asks for dense gradients. A narrow dense W (see NARROW_OUTPUTS) whose input comes in batch
 * chunks runs on the same kernels over every position.
 */
export class Dense implements Module {
  readonly kernel: KernelParam;
  readonly bias: Param | null;
  private x: tf.Tensor2D | null = null;
  /** The weights the forward pass ran on in batch chunks, or null for the dense product. */
  private onChunks: RowWeights | null = null;
  /** Their input in batch chunks. */
  private xT: tf.Tensor2D | null = null;
  /** The output, for the ReLU's gradient. */
  private y: tf.Tensor | null = null;
  private denseGradients = true;
  private readonly inputGradient: boolean;
  private readonly relu: boolean;
  private readonly narrow: boolean;

  constructor(name: string, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, options: DenseOptions = {}) {
    this.inputGradient = options.inputGradient ?? true;
    this.relu = options.relu ?? false;
    // A network's first layer (built without an input gradient) takes the batch, never a
    // compressed layer's output: were it narrow, the batch would be assembled in chunks for it.
    this.narrow = this.inputGradient && kernel.shape[1] <= NARROW_OUTPUTS;
    this.kernel = new KernelParam(`${name}.kernel`, name, kernel, 'rows', MAX_COMPRESSED_DENSITY.rows);
    this.bias = bias && { name: `${name}.bias`, layer: name, value: bias, grad: null, decay: false, maskable: false };
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    this.x = x as tf.Tensor2D;
    this.denseGradients = ctx.denseGradients;
    this.onChunks = this.kernel.compressed ?? (this.narrow && isInBatchChunks(x) ? (this.kernel.value as tf.Tensor2D) : null);
    if (this.onChunks) {
      const { yT, xT } = compressedDense(this.x, this.onChunks, this.bias?.value ?? null, this.relu);
      this.xT = xT;
      this.y = yT;
      if (this.relu) reluOutputs.add(yT);
      return yT;
    }
    this.xT = null;
    const b = this.kernel.value as tf.Tensor2D;
    const y = this.bias ? tf.fused.matMul({ a: this.x, b, bias: this.bias.value }) : tf.matMul(this.x, b);
    this.y = this.relu ? tf.relu(y) : y;
    if (this.relu) reluOutputs.add(this.y);
    return this.y;
  }

  takesBatchChunks(): boolean {
    return this.kernel.compressed !== null || (this.narrow && hasKernel(KERNEL_NAMES.compressedDense));
  }

  backward(dy: tf.Tensor): tf.Tensor | null {
    const dy2 = (this.relu && reluAppliedBy.get(dy) !== this.y ? reluGrad(dy, this.y!) : dy) as tf.Tensor2D;
    return this.onChunks ? this.backwardOnChunks(dy2, this.onChunks) : this.backwardDense(dy2);
  }

  private backwardDense(dy: tf.Tensor2D): tf.Tensor | null {
    if (this.bias) this.bias.grad = sumLeadingAxes(dy);
    this.kernel.grad = tf.matMul(this.x!, dy, true, false);
    return this.inputGradient ? tf.matMul(dy, this.kernel.value as tf.Tensor2D, false, true) : null;
  }

  /**
   * For compressed weights, the dense gradient (xᵀ·dy over every position) only when the step
   * asks for it; else the active positions'. dyT is in batch chunks, as the forward pass gave y.
   */
  private backwardOnChunks(dyT: tf.Tensor2D, w: RowWeights): tf.Tensor | null {
    const xT = this.xT!;
    const inputChunks = isInBatchChunks(this.x!);
    const everyPosition = w instanceof tf.Tensor;
    const reluInput = this.inputGradient && reluOutputs.has(this.x!);
    const activeGradient = everyPosition || !this.denseGradients;
    const { grad, dbias, dx } = compressedDenseGrad(dyT, xT, w, {
      activeGradient,
      denseGradient: !activeGradient,
      biasGradient: this.bias !== null,
      inputGradient: this.inputGradient,
      inputChunks,
      reluInput,
    });
    if (dx && reluInput) reluAppliedBy.set(dx, this.x!);
    this.kernel.grad = grad;
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
