import * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../../../src-shared/config/run.js';
import type { RunPlan } from '../../../src-shared/plan.js';
import type { Random } from '../../../src-shared/random.js';
import { dropCount, isMaskUpdateStep, isPruningStep, pruningActiveCount, updatesRunning } from '../../../src-shared/sparsity/schedules.js';
import { scratchInt32 } from '../host-arrays.js';
import { shouldCompress, sourcesOf, type CompressedWeights } from '../nn/compressed-weights.js';
import { readFloats } from '../kernels/tensor-view.js';
import { KernelParam } from '../nn/kernel-param.js';
import type { Param } from '../nn/module.js';
import type { Sgd } from '../optimizer.js';
import { mergeOnDevice, mergesOnDevice, moveOnDevice, type MovedKernel } from './device-merge.js';
import { ranksOnDevice, selectMagnitudes } from './device-select.js';
import { dropAndGrow, type DropGrowInput, type GrowCriterion } from './dropgrow.js';
import { LayerMask, maskParam, randomMask } from './masks.js';
import { pruneGlobal, pruneLayerwise } from './prune.js';
import { redistributeGrowth } from './redistribute.js';
import { largestK } from './select.js';

export interface MaskChange {
  layer: string;
  active: number;
  dropped: number;
  grown: number;
}

export interface MaskUpdateEvent {
  step: number;
  kind: 'drop-grow' | 'prune';
  layers: MaskChange[];
}

const GROW_CRITERION: Partial<Record<RunConfig['method'], GrowCriterion>> = {
  set: 'random',
  snfs: 'momentum',
  rigl: 'gradient',
};

/**
 * Owns the masks of a run and applies its method's schedule: drop/grow updates for SET, SNFS and
 * RigL, pruning events for gradual pruning. The dense method has no masks at all.
 */
export class SparsityController {
  readonly masks = new Map<string, LayerMask>();
  private readonly kernels: Param[];
  /** Host buffers for the dense weights of compressed kernels, by parameter name (see denseWeights). */
  private readonly weightBuffers = new Map<string, Float32Array>();

  constructor(
    private readonly config: RunConfig,
    private readonly plan: RunPlan,
    params: Param[],
    private readonly optimizer: Sgd,
    private readonly rng: Random,
  ) {
    this.kernels = params.filter((p) => p.maskable);
    if (this.kernels.length !== plan.allocation.length) {
      throw new Error(`model has ${this.kernels.length} maskable kernels but the plan allocates ${plan.allocation.length}`);
    }
    if (config.method === 'dense') return;
    this.kernels.forEach((p, i) => {
      const allocation = plan.allocation[i]!;
      // Gradual pruning starts dense; every other sparse method starts at its final sparsity.
      const mask =
        config.method === 'pruning' ? new Uint8Array(p.value.size).fill(1) : randomMask(p.value.size, allocation.active, rng);
      const layerMask = new LayerMask(p, mask);
      this.masks.set(p.name, layerMask);
      maskParam(p, layerMask);
      this.compressIfSparse(layerMask);
    });
  }

  /** SNFS keeps its momentum dense. */
  get denseMomentum(): boolean {
    return this.config.method === 'snfs';
  }

  /** RigL replaces the optimizer step of its update steps by the mask update (as in the original code). */
  replacesOptimizerStep(t: number): boolean {
    return this.config.method === 'rigl' && this.plan.dropGrow !== null && isMaskUpdateStep(t, this.plan.dropGrow);
  }

  /** Steps whose gradients must cover inactive positions too. */
  needsDenseGradient(t: number): boolean {
    return this.config.method === 'snfs' || this.replacesOptimizerStep(t);
  }

  updatesRunning(t: number): boolean {
    return updatesRunning(t, this.plan.dropGrow);
  }

  /** Mask work of step t once gradients exist: RigL before (instead of) the optimizer step. */
  beforeOptimizer(t: number): MaskUpdateEvent | null {
    return this.replacesOptimizerStep(t) ? this.dropGrow(t) : null;
  }

  /** Mask work of step t after the optimizer step: SET and SNFS updates, pruning events. */
  afterOptimizer(t: number): MaskUpdateEvent | null {
    const { dropGrow, pruning } = this.plan;
    if ((this.config.method === 'set' || this.config.method === 'snfs') && dropGrow && isMaskUpdateStep(t, dropGrow)) {
      return this.dropGrow(t);
    }
    if (this.config.method === 'pruning' && pruning && isPruningStep(t, pruning)) return this.prune(t);
    return null;
  }

  /** Current density of each masked layer, in layer order. */
  densities(): number[] {
    return this.kernels.map((p) => this.masks.get(p.name)?.density ?? 1);
  }

  private dropGrow(t: number): MaskUpdateEvent {
    const schedule = this.plan.dropGrow!;
    const criterion = GROW_CRITERION[this.config.method]!;
    const layers = this.kernels.map((p) => this.masks.get(p.name)!);
    const drops = layers.map((m) => dropCount(t, m.active, schedule));
    const grows = this.growBudget(layers, drops);
    const onDevice = ranksOnDevice();
    const mergesHere = mergesOnDevice();
    const changes = layers.map((m, i): MaskChange => {
      // Nothing changes when nothing is dropped or grown, or in a layer with every position active
      // (ERK keeps small layers dense), which can only grow back what it drops, values kept: such a
      // layer is recorded as unchanged, not as k weights swapped for themselves. Random growth still
      // runs there: it draws from the run's generator, which later layers share.
      const full = m.active === m.size && grows[i] === drops[i];
      if (grows[i] === drops[i] && (drops[i] === 0 || (full && criterion !== 'random'))) {
        return { layer: m.name, active: m.active, dropped: 0, grown: 0 };
      }
      // A compressed fully connected kernel that stays compressed moves on the device in the
      // merge's kernel call (weights, momentum, row index); other layers follow the new mask below.
      const movable = mergesHere ? this.movesOnDevice(m, drops[i]!, grows[i]!) : null;
      const pending: { moved?: MovedKernel } = {};
      const merge = movable
        ? (active: Uint32Array, dropped: Uint32Array, grown: Uint32Array, into?: Uint32Array) =>
            (pending.moved = moveOnDevice(movable, this.optimizer.compactVelocity(m.param), { active, dropped, grown }, into)).merged
        : mergesHere
          ? mergeOnDevice
          : undefined;
      const result = dropAndGrow({
        mask: m.mask,
        weights: onDevice ? null : this.denseWeights(m.param),
        growScore: onDevice ? null : this.growScore(m, criterion),
        ...(onDevice ? { ranking: this.deviceRanking(m, criterion) } : {}),
        drop: drops[i]!,
        grow: grows[i]!,
        criterion,
        rng: this.rng,
        into: m.spare(),
        active: m.positions(),
        positionsInto: m.sparePositions(),
        ...(merge ? { merge } : {}),
      });
      m.set(result.mask, result.positions);
      if (pending.moved) this.adoptMoved(m, pending.moved);
      else this.enforce(m, result.sources);
      if (full) return { layer: m.name, active: result.active, dropped: 0, grown: 0 };
      return { layer: m.name, active: result.active, dropped: result.dropped, grown: result.grown };
    });
    return { step: t, kind: 'drop-grow', layers: changes };
  }

  /** Grow counts: equal to the drops, or the total regrowth redistributed by layer scores. */
  private growBudget(layers: LayerMask[], drops: number[]): number[] {
    const redistribution = this.config.maskUpdate.redistribution;
    if (redistribution === 'none') return drops;
    const scores = layers.map((m) => meanAbsActive(this.redistributionSource(m, redistribution), m));
    const capacity = layers.map((m, i) => m.size - (m.active - drops[i]!));
    return redistributeGrowth(
      drops.reduce((a, b) => a + b, 0),
      scores,
      capacity,
    );
  }

  /**
   * Dense momentum, or the step's gradient: dense, or one value per active weight of a compressed
   * kernel; zeros before the first step.
   */
  private redistributionSource(layer: LayerMask, kind: 'momentum' | 'gradient'): Float32Array {
    const { param } = layer;
    const source = kind === 'momentum' ? this.optimizer.denseVelocity(param.name) : param.grad === null ? null : readFloats(param.grad);
    return source ?? new Float32Array(layer.size);
  }

  private growScore(mask: LayerMask, criterion: GrowCriterion): Float32Array | null {
    if (criterion === 'random') return null;
    if (criterion === 'gradient') return readFloats(this.denseGradient(mask.param));
    return this.redistributionSource(mask, 'momentum');
  }

  private prune(t: number): MaskUpdateEvent {
    const schedule = this.plan.pruning!;
    const layers = this.kernels.map((p) => this.masks.get(p.name)!);
    const input = layers.map((m, i) => ({
      mask: m.mask,
      weights: this.denseWeights(m.param),
      target: pruningActiveCount(t, m.size, this.plan.allocation[i]!.active, schedule),
    }));
    const next = this.config.pruning.scope === 'global' ? pruneGlobal(input) : pruneLayerwise(input);
    const changes = layers.map((m, i): MaskChange => {
      const before = m.active;
      m.set(next[i]!);
      this.enforce(m);
      return { layer: m.name, active: m.active, dropped: before - m.active, grown: 0 };
    });
    return { step: t, kind: 'prune', layers: changes };
  }

  /**
   * Weights (and, but for SNFS, momentum) follow the new mask at once. A compressed kernel that
   * stays sparse enough moves to the new positions (kept ones keep their value and momentum, new
   * ones start at zero: what masking the dense kernel does), given each new position's index
   * among the previous ones (`sources`; worked out here when the caller has none); otherwise it
   * goes back to dense form, is masked like any kernel, and is compressed again if it has become
   * sparse enough.
   */
  private enforce(mask: LayerMask, sources?: Int32Array): void {
    const param = mask.param;
    if (param instanceof KernelParam && param.compressed !== null && this.compressible(param, mask.active, mask.size)) {
      const active = mask.positions();
      param.moveTo(active, sources ?? sourcesOf(param.compressed.positions, active, scratchInt32('enforce.sources', active.length)));
      this.optimizer.moveState(param, param.compressed);
      return;
    }
    this.expand(mask.param);
    maskParam(mask.param, mask);
    if (!this.denseMomentum) this.optimizer.maskState(mask.param, mask);
    this.compressIfSparse(mask);
  }

  /**
   * The compressed weights of a fully connected kernel that stays compressed after dropping `drop`
   * weights and growing at most `grow`, which then move on the device (see moveOnDevice); else null.
   */
  private movesOnDevice(mask: LayerMask, drop: number, grow: number): CompressedWeights | null {
    const param = mask.param;
    if (!(param instanceof KernelParam) || param.compressed?.index.kind !== 'rows') return null;
    return this.compressible(param, mask.active - drop + grow, mask.size) ? param.compressed : null;
  }

  /**
   * A kernel's weights and momentum, moved on the device, replace those it had. Should the move
   * have left it denser than predicted (a drop ranking that passed over NaN weights), it then
   * follows its mask as any other kernel.
   */
  private adoptMoved(mask: LayerMask, moved: MovedKernel): void {
    const param = mask.param as KernelParam;
    param.replaceCompressed(moved.weights);
    this.optimizer.moveState(param, moved.weights, moved.momentum);
    if (!this.compressible(param, mask.active, mask.size)) this.enforce(mask);
  }

  /**
   * Kernels sparse enough to gain, of layers that can (see shouldCompress), train on their active
   * weights only, with compact momentum. SNFS never does: it needs dense momentum every step.
   */
  private compressIfSparse(mask: LayerMask): void {
    const param = mask.param;
    if (!(param instanceof KernelParam) || !this.compressible(param, mask.active, mask.size)) return;
    const active = mask.positions();
    param.compress(active);
    this.optimizer.compactState(param, active, mask.size);
    mask.releaseTensor();
  }

  private compressible(param: KernelParam, active: number, size: number): boolean {
    return !this.denseMomentum && shouldCompress(param, active, size);
  }

  private expand(param: Param): void {
    if (!(param instanceof KernelParam) || param.compressed === null) return;
    param.decompress();
    this.optimizer.expandState(param);
  }

  /**
   * Re-derives the compressed kernels from the dense weights, momentum and masks, after those
   * were restored from a checkpoint.
   */
  recompress(): void {
    for (const m of this.masks.values()) {
      this.expand(m.param);
      this.compressIfSparse(m);
    }
  }

  private denseGradient(param: Param): tf.Tensor {
    if (!param.grad) throw new Error(`RigL update of ${param.layer}: no dense gradient for this step`);
    return param.grad;
  }

  /**
   * Drop and growth ranked where the weights and scores live: the drop among a compressed
   * kernel's values (or a dense kernel's active weights), RigL's growth among the dense gradient;
   * other growth scores are host arrays and go to the host's largestK.
   */
  private deviceRanking(mask: LayerMask, criterion: GrowCriterion): NonNullable<DropGrowInput['ranking']> {
    const param = mask.param;
    const packed = param instanceof KernelParam ? param.compressed : null;
    return {
      drop: (k) => {
        if (packed === null) return selectMagnitudes(param.value, { mask: mask.mask, want: 1, count: mask.active }, k, false, 'drop');
        // Indices into the values, which follow the active positions in order.
        const chosen = selectMagnitudes(packed.values, 'all', k, false, 'drop');
        for (let j = 0; j < chosen.length; j++) chosen[j] = packed.positions[chosen[j]!]!;
        return chosen;
      },
      grow: (next, count, k) => {
        if (criterion === 'gradient') return selectMagnitudes(this.denseGradient(param), { mask: next, want: 0, count }, k, true, 'grow');
        return largestK(this.growScore(mask, criterion)!, { mask: next, want: 0, count }, k);
      },
    };
  }

  /**
   * A kernel's weights as a dense host array, read for one update: a view of the tensor where the
   * backend allows, or a compressed kernel's values scattered into a buffer kept for its next update.
   */
  private denseWeights(param: Param): Float32Array {
    if (!(param instanceof KernelParam) || param.compressed === null) return readFloats(param.value);
    let buffer = this.weightBuffers.get(param.name);
    if (buffer === undefined) this.weightBuffers.set(param.name, (buffer = new Float32Array(tf.util.sizeFromShape(param.compressed.shape))));
    return param.denseArray(buffer);
  }

  /** Leaves every kernel dense (the caller disposes the weights). */
  dispose(): void {
    for (const m of this.masks.values()) {
      this.expand(m.param);
      m.releaseTensor();
    }
  }
}

/** Mean |value| over a layer's active weights, from dense values or from one value per active weight. */
function meanAbsActive(values: Float32Array, layer: LayerMask): number {
  if (layer.active === 0) return 0;
  const dense = values.length === layer.size;
  if (!dense && values.length !== layer.active) {
    throw new Error(`${layer.name}: ${values.length} values for a layer of ${layer.size} weights, ${layer.active} active`);
  }
  const mask = layer.mask;
  let sum = 0;
  for (let i = 0; i < values.length; i++) if (!dense || mask[i] === 1) sum += Math.abs(values[i]!);
  return sum / layer.active;
}
