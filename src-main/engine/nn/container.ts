import * as tf from '@tensorflow/tfjs-core';
import { fromBatchChunks, isInBatchChunks, toBatchChunks } from './batch-chunks.js';
import type { Buffer, ForwardContext, Module, Param } from './module.js';

/**
 * Modules in turn. Activations in batch chunks (batch-chunks.ts) go on so only to modules that
 * take them, and come out batch-major; gradients flow back in the layout of the activations they
 * belong to (which forward recorded: gradients are not marked).
 */
export class Sequential implements Module {
  /** Whether the last forward pass turned batch chunks batch-major before module i (i = length: at the output). */
  private converted: boolean[] = [];

  constructor(readonly modules: Module[]) {}

  /**
   * With `outputInChunks`, an output in batch chunks is returned so (for softmaxCrossEntropy,
   * which takes it that way), and backward() then takes its gradient in the same layout.
   */
  forward(x: tf.Tensor, ctx: ForwardContext, outputInChunks = false): tf.Tensor {
    this.converted = [];
    let h = x;
    for (const m of this.modules) h = m.forward(this.batchMajorUnless(h, m.takesBatchChunks?.() === true), ctx);
    return this.batchMajorUnless(h, outputInChunks);
  }

  /**
   * Whether the input is best given in batch chunks: the first module with parameters takes them,
   * and every module before it passes them on (a compressed first layer, after a Flatten).
   */
  takesBatchChunksFirst(): boolean {
    for (const m of this.modules) {
      if (m.takesBatchChunks?.() !== true) return false;
      if (m.params().length > 0) return true;
    }
    return false;
  }

  private batchMajorUnless(h: tf.Tensor, takesChunks: boolean): tf.Tensor {
    const convert = !takesChunks && isInBatchChunks(h);
    this.converted.push(convert);
    return convert ? fromBatchChunks(h) : h;
  }

  /** Stops at a layer that returns no input gradient: only parameter-free layers can precede it. */
  backward(dy: tf.Tensor): tf.Tensor | null {
    let g: tf.Tensor | null = this.converted[this.modules.length] ? toBatchChunks(dy) : dy;
    for (let i = this.modules.length - 1; i >= 0 && g !== null; i--) {
      g = this.modules[i]!.backward(g);
      if (g !== null && this.converted[i]) g = toBatchChunks(g);
    }
    return g;
  }

  params(): Param[] {
    return this.modules.flatMap((m) => m.params());
  }

  buffers(): Buffer[] {
    return this.modules.flatMap((m) => m.buffers());
  }
}

/** y = main(x) + shortcut(x), the shortcut being the identity when it has no layers. */
export class Residual implements Module {
  constructor(
    readonly main: Sequential,
    readonly shortcut: Sequential,
  ) {}

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.add(this.main.forward(x, ctx), this.shortcut.forward(x, ctx));
  }

  backward(dy: tf.Tensor): tf.Tensor {
    const main = this.main.backward(dy);
    const shortcut = this.shortcut.backward(dy);
    if (main === null || shortcut === null) throw new Error('a residual block is never the first layer: both branches need input gradients');
    return tf.add(main, shortcut);
  }

  params(): Param[] {
    return [...this.main.params(), ...this.shortcut.params()];
  }

  buffers(): Buffer[] {
    return [...this.main.buffers(), ...this.shortcut.buffers()];
  }
}
