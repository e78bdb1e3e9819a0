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
    for (const m of this.modules) {
      const input = this.batchMajorUnless(h, m.takesBatchChunks?.() === true);
      // Evaluation sends nothing backward, so each module's temporaries, and each activation once
      // the next exists, are freed as it goes: kept to the batch's end, a WRN's evaluation batch
      // of 500 held every activation of the network at once.
      const out = ctx.training ? m.forward(input, ctx) : tf.tidy(() => m.forward(input, ctx));
      if (!ctx.training) for (const used of new Set([h, input])) if (used !== x && used !== out) used.dispose();
      h = out;
    }
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

  /**
   * Stops at a layer that returns no input gradient: only parameter-free layers can precede it.
   * Each gradient between two modules is freed once the module before has used it, not at the
   * step's end: kept, a conv net's gradients added as much again as its activations to the
   * step's peak memory. `dy` itself stays the caller's (a residual block's two branches share it).
   */
  backward(dy: tf.Tensor): tf.Tensor | null {
    let g: tf.Tensor | null = this.converted[this.modules.length] ? toBatchChunks(dy) : dy;
    for (let i = this.modules.length - 1; i >= 0 && g !== null; i--) {
      let next = this.modules[i]!.backward(g);
      if (next !== null && this.converted[i]) next = replacedBy(next, toBatchChunks(next));
      if (g !== dy && g !== next) g.dispose();
      g = next;
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
    const dx = tf.add(main, shortcut);
    // The identity shortcut hands back dy, which stays the caller's.
    for (const branch of [main, shortcut]) if (branch !== dy) branch.dispose();
    return dx;
  }

  params(): Param[] {
    return [...this.main.params(), ...this.shortcut.params()];
  }

  buffers(): Buffer[] {
    return [...this.main.buffers(), ...this.shortcut.buffers()];
  }
}

/** `to`, having freed `from` unless `to` is the same tensor. */
function replacedBy(from: tf.Tensor, to: tf.Tensor): tf.Tensor {
  if (to !== from) from.dispose();
  return to;
}
