import type { DistributionName } from '../names.js';
import { activeCount, floorCount } from './counts.js';

export interface DistributionLayer {
  name: string;
  shape: number[];
}

export interface DistributionOptions {
  sparsity: number;
  distribution: DistributionName;
  /** Keep the first masked tensor dense (the original CIFAR setup). */
  denseFirstLayer?: boolean;
  /** Layer name -> sparsity, honoured as given and left out of the ER / ERK solve. */
  overrides?: Record<string, number>;
}

export interface LayerAllocation {
  name: string;
  params: number;
  density: number;
  active: number;
}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** ER scores a kernel by its last two dimensions, (n_in + n_out) / (n_in · n_out). */
function erScore(shape: number[]): number {
  const nIn = shape[shape.length - 2] ?? 1;
  const nOut = shape[shape.length - 1] ?? 1;
  return (nIn + nOut) / (nIn * nOut);
}

/** ERK scores a kernel by all its dimensions, Σ dims / Π dims. */
function erkScore(shape: number[]): number {
  return shape.reduce((a, b) => a + b, 0) / product(shape);
}

/**
 * Per-layer densities and exact active counts for a target sparsity. Every distribution keeps
 * Σ (N_l − ⌊s·N_l⌋) active weights over the layers it solves for.
 */
export function allocateDensities(layers: DistributionLayer[], opts: DistributionOptions): LayerAllocation[] {
  const { sparsity, distribution } = opts;
  if (!(sparsity >= 0 && sparsity < 1)) throw new Error(`sparsity must be in [0, 1), got ${sparsity}`);
  const overrides = opts.overrides ?? {};
  for (const name of Object.keys(overrides)) {
    if (!layers.some((l) => l.name === name)) {
      throw new Error(`layer override "${name}" names no masked layer (layers: ${layers.map((l) => l.name).join(', ')})`);
    }
  }
  const conflict = denseFirstLayerConflict(layers, opts);
  if (conflict !== null) throw new Error(`sparsity ${sparsity} ${conflict}`);
  const sizes = layers.map((l) => product(l.shape));
  const densities = sizes.map(() => 1);
  const candidates: number[] = [];
  layers.forEach((layer, i) => {
    const override = overrides[layer.name];
    if (override === undefined) candidates.push(i);
    else densities[i] = (sizes[i]! - floorCount(override, sizes[i]!)) / sizes[i]!;
  });
  // D, the layers forced dense: the first one when asked; ER / ERK add the overflowing ones.
  const dense = new Set<number>(opts.denseFirstLayer && candidates[0] === 0 ? [0] : []);

  if (distribution === 'uniform') {
    for (const i of candidates) {
      if (!dense.has(i)) densities[i] = (sizes[i]! - floorCount(sparsity, sizes[i]!)) / sizes[i]!;
    }
  } else {
    const raw = layers.map((l) => (distribution === 'er' ? erScore(l.shape) : erkScore(l.shape)));
    for (;;) {
      let rhs = 0;
      let divisor = 0;
      for (const i of candidates) {
        const n = sizes[i]!;
        if (dense.has(i)) {
          rhs -= floorCount(sparsity, n);
        } else {
          rhs += n - floorCount(sparsity, n);
          divisor += raw[i]! * n;
        }
      }
      const open = candidates.filter((i) => !dense.has(i));
      if (open.length === 0) break;
      const epsilon = rhs / divisor;
      const largest = Math.max(...open.map((i) => raw[i]!));
      if (epsilon * largest <= 1) {
        for (const i of open) densities[i] = epsilon * raw[i]!;
        break;
      }
      for (const i of open) if (raw[i] === largest) dense.add(i);
    }
  }

  return layers.map((layer, i) => {
    const active = activeCount(densities[i]!, sizes[i]!);
    return { name: layer.name, params: sizes[i]!, density: densities[i]!, active };
  });
}

/**
 * Why ER / ERK cannot reach the sparsity with the first layer kept dense, or null when they can:
 * the layers they solve for keep Σ (N_l − ⌊s·N_l⌋) weights, and the first layer takes all of its
 * own (an overflowing layer made dense takes less than its share, so only the first can overdraw).
 */
export function denseFirstLayerConflict(layers: DistributionLayer[], opts: DistributionOptions): string | null {
  const overrides = opts.overrides ?? {};
  const first = layers[0];
  if (!opts.denseFirstLayer || opts.distribution === 'uniform' || first === undefined || overrides[first.name] !== undefined) return null;
  const solved = layers.filter((l) => overrides[l.name] === undefined).map((l) => product(l.shape));
  const kept = solved.reduce((sum, n) => sum + n - floorCount(opts.sparsity, n), 0);
  const firstSize = solved[0]!;
  if (kept >= firstSize) return null;
  const total = solved.reduce((a, b) => a + b, 0);
  const most = Math.floor(((total - firstSize) / total) * 1000) / 1000;
  return (
    `cannot be reached with ${first.name} kept dense: its ${firstSize} weights are more than the ${kept} of ${total} ` +
    `that this sparsity keeps${Object.keys(overrides).length > 0 ? ' in the layers without an override' : ''}; at most ${most} can be`
  );
}
