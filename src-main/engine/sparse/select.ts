/**
 * Exact top-k selection by magnitude over a subset of positions, with ties broken by position so
 * that the same values always give the same choice.
 */

/** The positions where `mask[i] === want`, without listing them (a quarter of a million for LeNet-300-100's first layer). */
export interface MaskCandidates {
  mask: Uint8Array;
  want: 0 | 1;
  /** How many there are, when the caller knows (else counted). */
  count?: number;
}

/** Candidate positions: listed in increasing order, or every position where a mask has a value. */
export type Candidates = Uint32Array | MaskCandidates;

/**
 * The k positions of `candidates` with the smallest |values[i]|, in increasing position order
 * (at the start of `into` when given: it must hold k).
 */
export function smallestK(values: ArrayLike<number>, candidates: Candidates, k: number, into?: Uint32Array): Uint32Array {
  return selectK(values, candidates, k, 1, into);
}

/** The k positions of `candidates` with the largest |values[i]|, as smallestK. */
export function largestK(values: ArrayLike<number>, candidates: Candidates, k: number, into?: Uint32Array): Uint32Array {
  return selectK(values, candidates, k, -1, into);
}

/** How many positions `candidates` holds. */
export function candidateCount(candidates: Candidates): number {
  if (candidates instanceof Uint32Array) return candidates.length;
  if (candidates.count !== undefined) return candidates.count;
  let set = 0;
  for (let i = 0; i < candidates.mask.length; i++) set += candidates.mask[i]!;
  return candidates.want === 1 ? set : candidates.mask.length - set;
}

// Grow-only scratch for the candidates that pass the bound: a mask update runs every ΔT steps,
// and fresh large arrays cost a page fault per 4 KB on first touch.
let keptPositions = new Uint32Array(0);
let keptKeys = new Float64Array(0);
/** A copy of the kept keys for quickselect to reorder. */
let shuffledKeys = new Float64Array(0);

/**
 * Writes the candidates whose key (sign·|value|) is at most `bound` to the scratch arrays, in
 * position order; returns how many. When there are at least k, they include the k smallest and
 * every tie with the k-th, so selecting among them is exact.
 */
function collectBelow(values: ArrayLike<number>, candidates: Candidates, sign: 1 | -1, bound: number, capacity: number): number {
  if (keptPositions.length < capacity) {
    keptPositions = new Uint32Array(capacity);
    keptKeys = new Float64Array(capacity);
    shuffledKeys = new Float64Array(capacity);
  }
  let n = 0;
  if (candidates instanceof Uint32Array) {
    for (let j = 0; j < candidates.length; j++) {
      const i = candidates[j]!;
      const key = sign * Math.abs(values[i]!);
      if (key <= bound) {
        keptPositions[n] = i;
        keptKeys[n++] = key;
      }
    }
  } else {
    // The bound first: with a good one few values pass it, so the branch is predictable,
    // where the mask test alone is taken at random (twice as slow, measured).
    const { mask, want } = candidates;
    for (let i = 0; i < mask.length; i++) {
      const key = sign * Math.abs(values[i]!);
      if (key <= bound && mask[i] === want) {
        keptPositions[n] = i;
        keptKeys[n++] = key;
      }
    }
  }
  return n;
}

// Every method ranks by magnitude, so the ranking reads the values directly (a score callback
// per candidate cost about half of a RigL update on LeNet-300-100).
function selectK(values: ArrayLike<number>, candidates: Candidates, k: number, sign: 1 | -1, into?: Uint32Array): Uint32Array {
  if (k <= 0) return new Uint32Array(0);
  const count = candidateCount(candidates);
  let n = collectBelow(values, candidates, sign, sampledBound(values, candidates, count, sign, k), count);
  if (n < k) n = collectBelow(values, candidates, sign, Infinity, count);
  if (k >= n) {
    if (!into) return keptPositions.slice(0, n);
    into.set(keptPositions.subarray(0, n));
    return into.subarray(0, n);
  }
  const keys = shuffledKeys.subarray(0, n);
  keys.set(keptKeys.subarray(0, n));
  const threshold = kthSmallest(keys, k - 1);
  let below = 0;
  for (let j = 0; j < n; j++) if (keptKeys[j]! < threshold) below++;
  // One pass in position order: everything strictly below the threshold, and the first ties.
  const out = into ? into.subarray(0, k) : new Uint32Array(k);
  let ties = k - below;
  for (let j = 0, m = 0; j < n && m < k; j++) {
    const key = keptKeys[j]!;
    if (key < threshold || (key === threshold && ties-- > 0)) out[m++] = keptPositions[j]!;
  }
  return out;
}

const SAMPLE = 1024;

/**
 * A key value that at least k of the candidates probably do not exceed, a little above the k-th
 * smallest, read from an evenly spaced sample; +Infinity when the sample cannot tell (few
 * candidates, k near their count). The caller checks the count, so a poor sample costs time,
 * never correctness.
 */
function sampledBound(values: ArrayLike<number>, candidates: Candidates, count: number, sign: 1 | -1, k: number): number {
  if (count <= 4 * SAMPLE) return Infinity;
  const sample = new Float64Array(SAMPLE);
  let taken = 0;
  if (candidates instanceof Uint32Array) {
    for (; taken < SAMPLE; taken++) sample[taken] = sign * Math.abs(values[candidates[Math.floor(((taken + 0.5) * count) / SAMPLE)]!]!);
  } else {
    // Evenly spaced probes over all positions, as many as should meet about SAMPLE candidates,
    // keeping the candidates among them.
    const { mask, want } = candidates;
    const probes = Math.min(mask.length, Math.ceil((SAMPLE * mask.length) / count));
    for (let s = 0; s < probes && taken < SAMPLE; s++) {
      const i = Math.floor(((s + 0.5) * mask.length) / probes);
      if (mask[i] === want) sample[taken++] = sign * Math.abs(values[i]!);
    }
  }
  if (taken < SAMPLE / 4) return Infinity;
  const keys = sample.subarray(0, taken).sort();
  const expected = (k * taken) / count;
  const rank = Math.ceil(expected + 4 * Math.sqrt(expected) + 4);
  return rank >= taken ? Infinity : keys[rank]!;
}

/** Quickselect: the value that would sit at index `k` if `a` were sorted (a is reordered). */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Positions where `mask` is (or is not) set, in increasing order. */
export function positions(mask: Uint8Array, active: boolean): Uint32Array {
  let set = 0;
  for (let i = 0; i < mask.length; i++) set += mask[i]!;
  const want = active ? 1 : 0;
  const out = new Uint32Array(active ? set : mask.length - set);
  for (let i = 0, n = 0; i < mask.length && n < out.length; i++) if (mask[i] === want) out[n++] = i;
  return out;
}
