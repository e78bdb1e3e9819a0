import type { Random } from '../../../src-shared/random.js';
import { scratchInt32, scratchUint32 } from '../host-arrays.js';
import { largestK, positions, smallestK } from './select.js';

/** How a method picks the connections it grows. */
export type GrowCriterion = 'random' | 'gradient' | 'momentum';

export interface DropGrowInput {
  mask: Uint8Array;
  /** |w| of every position, for the host's ranking (unused with `ranking`). */
  weights: ArrayLike<number> | null;
  /** |gradient| (RigL) or |momentum| (SNFS) at every position; unused for random growth. */
  growScore: ArrayLike<number> | null;
  drop: number;
  grow: number;
  criterion: GrowCriterion;
  rng: Random;
  /** Where to write the new mask (a buffer the caller reuses); a new array when left out. */
  into?: Uint8Array;
  /** The active positions of `mask` in increasing order, when the caller has them (else listed here). */
  active?: Uint32Array;
  /** Where to write the new active positions, used when it has their number; a new array otherwise. */
  positionsInto?: Uint32Array;
  /** How the new active positions are listed: mergeActive by default, or its equal on the device. */
  merge?: typeof mergeActive;
  /**
   * Where the ranking runs when the backend ranks on the device: `drop(k)` gives the k active
   * positions of smallest |w|, `grow(next, candidates, k)` the k positions to grow among the
   * `candidates` inactive ones of `next`, both in increasing order. By default smallestK of
   * weights and largestK of growScore run on the host.
   */
  ranking?: {
    drop(k: number): Uint32Array;
    grow(next: Uint8Array, candidates: number, k: number): Uint32Array;
  };
}

/** A layer's active positions after an update, and where each came from. */
export interface MergedActive {
  /** The active positions of the new mask, in increasing order. */
  positions: Uint32Array;
  /**
   * Each new active position's index among the old ones, or −1 where it was inactive (a
   * reusable array, valid until the next update).
   */
  sources: Int32Array;
}

export interface DropGrowResult extends MergedActive {
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
  const { weights, growScore, mask } = input;
  const next = input.into ?? new Uint8Array(mask.length);
  next.set(mask);
  // The drop ranks the active positions only: listed, they are the mask's density of it.
  const active = input.active ?? positions(mask, true);
  let dropped: Uint32Array;
  if (input.ranking) {
    dropped = input.ranking.drop(input.drop);
  } else {
    if (!weights) throw new Error('the host ranking of the drop needs the weights');
    dropped = smallestK(weights, active, input.drop, scratchUint32('dropAndGrow.dropped', input.drop));
  }
  for (let j = 0; j < dropped.length; j++) next[dropped[j]!] = 0;
  const inactiveCount = mask.length - (active.length - dropped.length);
  const grow = Math.min(input.grow, inactiveCount);
  let grown: Uint32Array;
  if (input.criterion === 'random') {
    grown = nthInactive(next, input.rng.sample(inactiveCount, grow));
  } else {
    if (input.ranking) {
      grown = input.ranking.grow(next, inactiveCount, grow);
    } else {
      if (!growScore) throw new Error(`growth by ${input.criterion} needs its scores`);
      grown = largestK(growScore, { mask: next, want: 0, count: inactiveCount }, grow, scratchUint32('dropAndGrow.grown', grow));
    }
  }
  for (let j = 0; j < grown.length; j++) next[grown[j]!] = 1;
  const merged = (input.merge ?? mergeActive)(active, dropped, grown, input.positionsInto);
  return {
    mask: next,
    ...merged,
    dropped: dropped.length,
    grown: grown.length,
    active: active.length - dropped.length + grown.length,
  };
}

/** Past every position, so that a finished list never comes first (positions are below 2³¹). */
const END = 0x7fffffff;

/**
 * Where a merge of `size` positions writes them (`into` when it has that length, else a new array)
 * and their sources (the reusable array of DropGrowResult.sources).
 */
export function mergedArrays(size: number, into?: Uint32Array): MergedActive {
  return { positions: into?.length === size ? into : new Uint32Array(size), sources: scratchInt32('dropAndGrow.sources', size) };
}

/**
 * (active − dropped) ∪ grown, all three increasing (dropped ⊆ active; grown may retake dropped
 * ones), with each position's index in `active` or −1. One walk over `active` that slips in the
 * grown positions before each one: the data decides few branches (a general three-way merge took
 * three times as long).
 */
export function mergeActive(active: Uint32Array, dropped: Uint32Array, grown: Uint32Array, into?: Uint32Array): MergedActive {
  const { positions, sources } = mergedArrays(active.length - dropped.length + grown.length, into);
  let n = 0;
  let d = 0;
  let g = 0;
  let nextDrop = dropped.length > 0 ? dropped[0]! : END;
  let nextGrow = grown.length > 0 ? grown[0]! : END;
  for (let a = 0; a < active.length; a++) {
    const p = active[a]!;
    while (nextGrow < p) {
      positions[n] = nextGrow;
      sources[n++] = -1;
      nextGrow = ++g < grown.length ? grown[g]! : END;
    }
    if (p === nextDrop) {
      nextDrop = ++d < dropped.length ? dropped[d]! : END;
      // Dropped, then grown again: it keeps its value.
      if (p !== nextGrow) continue;
      nextGrow = ++g < grown.length ? grown[g]! : END;
    }
    positions[n] = p;
    sources[n++] = a;
  }
  for (; g < grown.length; g++) {
    positions[n] = grown[g]!;
    sources[n++] = -1;
  }
  return { positions, sources };
}

/** The positions of the n-th inactive entries of `mask`, for increasing ranks n. */
function nthInactive(mask: Uint8Array, ranks: Uint32Array): Uint32Array {
  const out = new Uint32Array(ranks.length);
  for (let i = 0, rank = 0, r = 0; i < mask.length && r < ranks.length; i++) {
    if (mask[i] !== 0) continue;
    if (rank === ranks[r]) out[r++] = i;
    rank++;
  }
  return out;
}
