import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../src-shared/config/run.js';
import { hasKernel, KERNEL_NAMES, type SgdStepAttrs } from './kernels/names.js';
import { tensorOf } from './host-arrays.js';
import { gather, scatter, type CompressedWeights } from './nn/compressed-weights.js';
import { KernelParam } from './nn/kernel-param.js';
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
 *
 * The momentum of a compressed kernel is compact too (one value per active position, in the
 * kernel's position order) and its step touches active positions only, with no mask products:
 * the same arithmetic as the masked dense step at those positions, where the masked one keeps
 * zeros everywhere else.
 */
export class Sgd {
  readonly velocity = new Map<string, tf.Tensor>();
  /** Momentum kept compact, by parameter name: its positions and the dense kernel's size. */
  private readonly compactAt = new Map<string, { positions: Uint32Array; size: number }>();

  constructor(private readonly config: OptimizerConfig) {}

  step(params: Param[], opts: StepOptions): void {
    for (const p of params) {
      if (!p.grad) continue;
      const packed = p instanceof KernelParam ? p.compressed : null;
      if (packed && p instanceof KernelParam) {
        // A step that asked for dense gradients still updates the active positions only.
        const grad = p.grad.size === packed.positions.length ? p.grad : tf.tensor1d(gather(p.grad.dataSync(), packed.positions));
        const { value, velocity } = this.update(p, packed.values, grad, opts.lr, null);
        if (grad !== p.grad) grad.dispose();
        p.setActiveValues(value as tf.Tensor1D);
        this.setVelocity(p.name, velocity);
        continue;
      }
      const mask = opts.masks.get(p.name)?.tensor ?? null;
      // Masking the gradient keeps inactive weights and momentum at exactly 0 (they start at 0
      // and every mask change zeroes them), so multiplying them by the mask after the step, as
      // spec §2 states it, would change nothing. SNFS's dense momentum moves inactive weights,
      // so there the weights are masked after the step instead.
      const { value, velocity } = opts.denseMomentum
        ? this.update(p, p.value, p.grad, opts.lr, null, mask)
        : this.update(p, p.value, p.grad, opts.lr, mask, null);
      p.value.dispose();
      p.value = value;
      this.setVelocity(p.name, velocity);
    }
  }

  /** One step of `weights` (kept tensors in, kept tensors out), masking the gradient or the new weights. */
  private update(
    p: Param,
    weights: tf.Tensor,
    grad: tf.Tensor,
    lr: number,
    gradMask: tf.Tensor | null,
    weightMask: tf.Tensor | null = null,
  ): { value: tf.Tensor; velocity?: tf.Tensor } {
    const { momentum, nesterov, weightDecay } = this.config;
    const decay = p.decay ? weightDecay : 0;
    const previous = this.velocity.get(p.name) ?? null;
    if (hasKernel(KERNEL_NAMES.sgdStep)) {
      const mask = gradMask ?? weightMask;
      const attrs: SgdStepAttrs = { lr, momentum, decay, nesterov, maskWeights: weightMask !== null };
      const inputs = { weights, grad, ...(previous && momentum > 0 ? { velocity: previous } : {}), ...(mask ? { mask } : {}) };
      const [value, velocity] = tf.engine().runKernel(KERNEL_NAMES.sgdStep, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return velocity ? { value: value!, velocity } : { value: value! };
    }
    return tf.tidy(() => {
      let g = gradMask ? tf.mul(grad, gradMask) : grad;
      if (decay > 0) g = tf.add(g, tf.mul(weights, decay));
      let update = g;
      let v: tf.Tensor | null = null;
      if (momentum > 0) {
        v = previous ? tf.add(tf.mul(previous, momentum), g) : tf.clone(g);
        update = nesterov ? tf.add(g, tf.mul(v, momentum)) : v;
      }
      let w = tf.sub(weights, tf.mul(update, lr));
      if (weightMask) w = tf.mul(w, weightMask);
      return v ? { value: w, velocity: v } : { value: w };
    });
  }

  private setVelocity(name: string, velocity: tf.Tensor | undefined): void {
    if (velocity === undefined) return;
    this.velocity.get(name)?.dispose();
    this.velocity.set(name, velocity);
  }

  /** Zeroes the momentum where a mask is 0 (connections just dropped or pruned); dense momentum only. */
  maskState(param: Param, mask: LayerMask): void {
    const v = this.velocity.get(param.name);
    if (!v) return;
    if (this.compactAt.has(param.name)) throw new Error(`${param.name}: maskState on compact momentum; expand it first`);
    this.setVelocity(param.name, tf.keep(tf.mul(v, mask.tensor)));
  }

  /** Keeps the momentum of `param` at `positions` only (its kernel was just compressed to them). */
  compactState(param: Param, positions: Uint32Array): void {
    const dense = this.denseVelocity(param.name);
    if (dense) this.replaceVelocity(param.name, gather(dense, positions));
    this.compactAt.set(param.name, { positions, size: param.value.size });
  }

  /** Compact momentum follows its kernel, just moved to `to` (see CompressedWeights.carried): kept positions keep it, new ones start at 0. */
  moveState(param: Param, to: CompressedWeights): void {
    const compact = this.compactAt.get(param.name);
    if (!compact) throw new Error(`${param.name}: moveState on dense momentum`);
    const v = this.velocity.get(param.name);
    if (v) this.setVelocity(param.name, tf.keep(to.carried(v as tf.Tensor1D)));
    this.compactAt.set(param.name, { positions: to.positions, size: compact.size });
  }

  /** Back to dense momentum for `param` (zero at the positions the compact one did not hold). */
  expandState(param: Param): void {
    const dense = this.denseVelocity(param.name);
    this.compactAt.delete(param.name);
    if (dense) this.replaceVelocity(param.name, dense, param.value.shape);
  }

  /** The momentum of a parameter as a dense array, whichever way it is kept; null before the first step. */
  denseVelocity(name: string): Float32Array | null {
    const v = this.velocity.get(name);
    if (!v) return null;
    const values = v.dataSync() as Float32Array;
    const compact = this.compactAt.get(name);
    return compact ? scatter(values, compact.positions, compact.size) : Float32Array.from(values);
  }

  /** New momentum for `name` from host values (which may be scratch). */
  private replaceVelocity(name: string, values: Float32Array, shape: number[] = [values.length]): void {
    this.setVelocity(name, tf.keep(tensorOf(values, shape)));
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
    this.compactAt.clear();
  }
}
