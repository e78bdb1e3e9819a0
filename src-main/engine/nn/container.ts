import * as tf from '@tensorflow/tfjs-core';
import type { Buffer, ForwardContext, Module, Param } from './module.js';

export class Sequential implements Module {
  constructor(readonly modules: Module[]) {}

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return this.modules.reduce((h, m) => m.forward(h, ctx), x);
  }

  backward(dy: tf.Tensor): tf.Tensor {
    return this.modules.reduceRight((g, m) => m.backward(g), dy);
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
    return tf.add(this.main.backward(dy), this.shortcut.backward(dy));
  }

  params(): Param[] {
    return [...this.main.params(), ...this.shortcut.params()];
  }

  buffers(): Buffer[] {
    return [...this.main.buffers(), ...this.shortcut.buffers()];
  }
}
