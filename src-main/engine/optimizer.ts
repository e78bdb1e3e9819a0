import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../src-shared/config/run.js';
import type { Param } from './nn/module.js';
import type { LayerMask } from './sparse/masks.js';

export interface StepOptions {
  lr: number;
  /** Mask of each masked kernel, by parameter name. */
  masks: Map<string, LayerMask>;
  /**
   * SNFS keeps momentum dense: it accumulates the unmasked gradient and is never masked, while
   * the weights still are.
   */
  denseMomentum: boolean;
}

/**
 * SGD with (Nesterov) momentum and L2 weight decay, PyTorch's formulation:
 * g ← g + λw; v ← μv + g; w ← w − lr·(g + μv) (Nesterov) or w − lr·v.
 */
export class Sgd {
  readonly velocity = new Map<string, tf.Tensor>();

  constructor(private readonly config: OptimizerConfig) {}

  step(params: Param[], opts: StepOptions): void {
    const { momentum, nesterov, weightDecay } = this.config;
    for (const p of params) {
      if (!p.grad) continue;
      const mask = opts.masks.get(p.name);
      const { value, velocity } = tf.tidy(() => {
        let g = mask && !opts.denseMomentum ? tf.mul(p.grad!, mask.tensor) : p.grad!;
        if (p.decay && weightDecay > 0) g = tf.add(g, tf.mul(p.value, weightDecay));
        let update = g;
        let v: tf.Tensor | null = null;
        if (momentum > 0) {
          const previous = this.velocity.get(p.name);
          v = previous ? tf.add(tf.mul(previous, momentum), g) : tf.clone(g);
          update = nesterov ? tf.add(g, tf.mul(v, momentum)) : v;
          if (mask && !opts.denseMomentum) v = tf.mul(v, mask.tensor);
        }
        let w = tf.sub(p.value, tf.mul(update, opts.lr));
        if (mask) w = tf.mul(w, mask.tensor);
        return v ? { value: w, velocity: v } : { value: w };
      });
      p.value.dispose();
      p.value = value;
      if (velocity !== undefined) {
        this.velocity.get(p.name)?.dispose();
        this.velocity.set(p.name, velocity);
      }
    }
  }

  /** Zeroes the momentum where a mask is 0 (connections just dropped or pruned). */
  maskState(param: Param, mask: LayerMask): void {
    const v = this.velocity.get(param.name);
    if (!v) return;
    this.velocity.set(param.name, tf.keep(tf.mul(v, mask.tensor)));
    v.dispose();
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
