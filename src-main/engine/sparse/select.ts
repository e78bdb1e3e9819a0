/**
 * Exact top-k selection by magnitude over a subset of positions, with ties broken by position so
 * that the same values always give the same choice.
 */

/** The k positions of `candidates` with the smallest |values[i]|, in increasing position order. */
export function smallestK(values: ArrayLike<number>, candidates: Uint32Array, k: number): Uint32Array {
  return selectK(values, candidates, k, 1);
}

/** The k positions of `candidates` with the largest |values[i]|, in increasing position order. */
export function largestK(values: ArrayLike<number>, candidates: Uint32Array, k: number): Uint32Array {
  return selectK(values, candidates, k, -1);
}

// Every method ranks by magnitude, so the ranking reads the values directly (a score callback
// per candidate cost about half of a RigL update on LeNet-300-100).
function selectK(values: ArrayLike<number>, candidates: Uint32Array, k: number, sign: 1 | -1): Uint32Array {
  if (k <= 0) return new Uint32Array(0);
  if (k >= candidates.length) return candidates.slice();
  // The candidates whose key (sign·|value|) is at most a bound, in position order: when there
  // are at least k, they include the k smallest and every tie with the k-th, so selecting among
  // them is exact.
  const below = (bound: number): { subset: number[]; keys: number[] } => {
    const subset: number[] = [];
    const keys: number[] = [];
    for (let j = 0; j < candidates.length; j++) {
      const v = sign * Math.abs(values[candidates[j]!]!);
      if (v <= bound) {
        subset.push(candidates[j]!);
        keys.push(v);
      }
    }
    return { subset, keys };
  };
  let chosen = below(sampledBound(values, candidates, sign, k));
  if (chosen.subset.length < k) chosen = below(Infinity);
  const { subset } = chosen;
  const keys = Float64Array.from(chosen.keys);
  const threshold = kthSmallest(keys.slice(), k - 1);
  const out = new Uint32Array(k);
  let n = 0;
  // Strictly below the threshold first, then ties at the threshold in position order.
  for (let j = 0; j < subset.length; j++) if (keys[j]! < threshold) out[n++] = subset[j]!;
  for (let j = 0; j < subset.length && n < k; j++) if (keys[j] === threshold) out[n++] = subset[j]!;
  return out.sort();
}

const SAMPLE = 1024;

/**
 * A key value that at least k of the n keys probably do not exceed, a little above the k-th
 * smallest, read from an evenly spaced sample; +Infinity when the sample cannot tell (small n,
 * k near n). The caller checks the count, so a poor sample costs time, never correctness.
 */
function sampledBound(values: ArrayLike<number>, candidates: Uint32Array, sign: 1 | -1, k: number): number {
  const n = candidates.length;
  if (n <= 4 * SAMPLE) return Infinity;
  const sample = new Float64Array(SAMPLE);
  for (let i = 0; i < SAMPLE; i++) sample[i] = sign * Math.abs(values[candidates[Math.floor(((i + 0.5) * n) / SAMPLE)]!]!);
  sample.sort();
  const expected = (k * SAMPLE) / n;
  const rank = Math.ceil(expected + 4 * Math.sqrt(expected) + 4);
  return rank >= SAMPLE ? Infinity : sample[rank]!;
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
