import type { Random } from '../../../src-shared/random.js';
import { largestK, positions, smallestK } from './select.js';

/** How a method picks the connections it grows. */
export type GrowCriterion = 'random' | 'gradient' | 'momentum';

export interface DropGrowInput {
  mask: Uint8Array;
  weights: Float32Array;
  /** |gradient| (RigL) or |momentum| (SNFS) at every position; unused for random growth. */
  growScore: Float32Array | null;
  drop: number;
  grow: number;
  criterion: GrowCriterion;
  rng: Random;
}

export interface DropGrowResult {
  mask: Uint8Array;
  dropped: number;
  grown: number;
  active: number;
}

/**
 * One drop/grow update of one layer (spec §2): drop the `drop` active weights of smallest |w|,
 * then grow `grow` positions among all that are inactive after the drop (a just-dropped position
 * may come back and then keeps its value).
 */
export function dropAndGrow(input: DropGrowInput): DropGrowResult {
  const { weights, growScore } = input;
  const next = input.mask.slice();
  const active = positions(input.mask, true);
  const dropped = smallestK(weights, active, input.drop);
  for (let j = 0; j < dropped.length; j++) next[dropped[j]!] = 0;
  const candidates = positions(next, false);
  const grow = Math.min(input.grow, candidates.length);
  let grown: Uint32Array;
  if (input.criterion === 'random') {
    grown = input.rng.sample(candidates.length, grow).map((j) => candidates[j]!);
  } else {
    if (!growScore) throw new Error(`growth by ${input.criterion} needs its scores`);
    grown = largestK(growScore, candidates, grow);
  }
  for (let j = 0; j < grown.length; j++) next[grown[j]!] = 1;
  return { mask: next, dropped: dropped.length, grown: grown.length, active: active.length - dropped.length + grown.length };
}
