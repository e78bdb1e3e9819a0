import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../src-shared/config/run.js';
import { hasKernel, KERNEL_NAMES, type SgdStepsAttrs } from './kernels/names.js';
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

/** One parameter's share of an optimizer step: its weights (a compressed kernel's active values), gradient and mask. */
interface TensorStep {
  param: Param;
  weights: tf.Tensor;
  grad: tf.Tensor;
  mask: tf.Tensor | null;
  compressed: boolean;
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

  /** One step of every parameter with a gradient; on the wasm backend one kernel call for all of them. */
  step(params: Param[], opts: StepOptions): void {
    const steps: TensorStep[] = [];
    for (const p of params) {
      if (!p.grad) continue;
      const packed = p instanceof KernelParam ? p.compressed : null;
      if (packed) {
        // A step that asked for dense gradients still updates the active positions only.
        const grad = p.grad.size === packed.positions.length ? p.grad : tf.tensor1d(gather(p.grad.dataSync(), packed.positions));
        steps.push({ param: p, weights: packed.values, grad, mask: null, compressed: true });
        continue;
      }
      // Masking the gradient keeps inactive weights and momentum at exactly 0 (they start at 0
      // and every mask change zeroes them), so multiplying them by the mask after the step, as
      // spec §2 states it, would change nothing. SNFS's dense momentum moves inactive weights,
      // so there the weights are masked after the step instead.
      steps.push({ param: p, weights: p.value, grad: p.grad, mask: opts.masks.get(p.name)?.tensor ?? null, compressed: false });
    }
    const results = this.update(steps, opts.lr, opts.denseMomentum);
    steps.forEach(({ param, grad, compressed }, i) => {
      const { value, velocity } = results[i]!;
      if (grad !== param.grad) grad.dispose();
      if (compressed) {
        (param as KernelParam).setActiveValues(value as tf.Tensor1D);
      } else {
        param.value.dispose();
        param.value = value;
      }
      this.setVelocity(param.name, velocity);
    });
  }

  /** One step of each tensor (kept tensors in, kept tensors out), masking the gradients or, with maskWeights, the new weights. */
  private update(steps: TensorStep[], lr: number, maskWeights: boolean): Array<{ value: tf.Tensor; velocity?: tf.Tensor }> {
    if (steps.length === 0) return [];
    const { momentum, nesterov, weightDecay } = this.config;
    const decays = steps.map((s) => (s.param.decay ? weightDecay : 0));
    const previous = steps.map((s) => (momentum > 0 ? (this.velocity.get(s.param.name) ?? null) : null));
    if (hasKernel(KERNEL_NAMES.sgdSteps)) {
      const inputs: tf.NamedTensorMap = {};
      steps.forEach((s, i) => {
        inputs[`weights${i}`] = s.weights;
        inputs[`grad${i}`] = s.grad;
        if (previous[i]) inputs[`velocity${i}`] = previous[i]!;
        if (s.mask) inputs[`mask${i}`] = s.mask;
      });
      const attrs: SgdStepsAttrs = { lr, momentum, nesterov, maskWeights, decays };
      const outputs = tf.engine().runKernel(KERNEL_NAMES.sgdSteps, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      // Tensor after tensor: the new weights, then with momentum the new velocity.
      return steps.map((_, i) => (momentum > 0 ? { value: outputs[2 * i]!, velocity: outputs[2 * i + 1]! } : { value: outputs[i]! }));
    }
    return steps.map((s, i) =>
      tf.tidy(() => {
        const gradMask = maskWeights ? null : s.mask;
        let g = gradMask ? tf.mul(s.grad, gradMask) : s.grad;
        if (decays[i]! > 0) g = tf.add(g, tf.mul(s.weights, decays[i]!));
        let update = g;
        let v: tf.Tensor | null = null;
        if (momentum > 0) {
          v = previous[i] ? tf.add(tf.mul(previous[i]!, momentum), g) : tf.clone(g);
          update = nesterov ? tf.add(g, tf.mul(v, momentum)) : v;
        }
        let w = tf.sub(s.weights, tf.mul(update, lr));
        if (maskWeights && s.mask) w = tf.mul(w, s.mask);
        return v ? { value: w, velocity: v } : { value: w };
      }),
    );
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

  /**
   * Keeps the momentum of `param` at `positions` only (its kernel, of `size` weights, was just
   * compressed to them; asking the kernel its size would build its dense tensor again).
   */
  compactState(param: Param, positions: Uint32Array, size: number): void {
    const dense = this.denseVelocity(param.name);
    if (dense) this.replaceVelocity(param.name, gather(dense, positions));
    this.compactAt.set(param.name, { positions, size });
  }

  /**
   * Compact momentum follows its kernel, just moved to `to` (see CompressedWeights.carried): kept
   * positions keep it, new ones start at 0. `carried`: the momentum already carried there, which
   * this takes over (see sparse/device-merge.ts moveOnDevice).
   */
  moveState(param: Param, to: CompressedWeights, carried: tf.Tensor1D | null = null): void {
    const compact = this.compactAt.get(param.name);
    if (!compact) throw new Error(`${param.name}: moveState on dense momentum`);
    const v = this.velocity.get(param.name);
    if (carried && !v) throw new Error(`${param.name}: carried momentum for a kernel that has none yet`);
    if (v) this.setVelocity(param.name, tf.keep(carried ?? to.carried(v as tf.Tensor1D)));
    this.compactAt.set(param.name, { positions: to.positions, size: compact.size });
  }

  /** The compact momentum of a compressed kernel (one value per active weight), or null before its first step. */
  compactVelocity(param: Param): tf.Tensor1D | null {
    if (!this.compactAt.has(param.name)) throw new Error(`${param.name}: compactVelocity of dense momentum`);
    return (this.velocity.get(param.name) as tf.Tensor1D | undefined) ?? null;
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
