import { candidateCount, smallestK } from './select.js';

export interface PruneLayer {
  mask: Uint8Array;
  weights: ArrayLike<number>;
  /** Active weights the layer should keep after this event. */
  target: number;
}

/** Removes each layer's smallest-magnitude active weights down to its own target. */
export function pruneLayerwise(layers: PruneLayer[]): Uint8Array[] {
  return layers.map(({ mask, weights, target }) => {
    const count = candidateCount({ mask, want: 1 });
    const next = mask.slice();
    for (const i of smallestK(weights, { mask, want: 1, count }, count - target)) next[i] = 0;
    return next;
  });
}

/**
 * Ranks the active weights of all layers together and removes the smallest until the total meets
 * the sum of the targets (the `global` pruning scope).
 */
export function pruneGlobal(layers: PruneLayer[]): Uint8Array[] {
  const offsets: number[] = [];
  let total = 0;
  for (const l of layers) {
    offsets.push(total);
    total += l.mask.length;
  }
  const flatMask = new Uint8Array(total);
  const flatWeights = new Float32Array(total);
  layers.forEach((l, i) => {
    flatMask.set(l.mask, offsets[i]);
    flatWeights.set(l.weights, offsets[i]);
  });
  const count = candidateCount({ mask: flatMask, want: 1 });
  const target = layers.reduce((a, l) => a + l.target, 0);
  for (const i of smallestK(flatWeights, { mask: flatMask, want: 1, count }, count - target)) flatMask[i] = 0;
  return layers.map((l, i) => flatMask.slice(offsets[i], offsets[i]! + l.mask.length));
}
