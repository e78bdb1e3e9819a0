/**
 * Exact top-k selection over a subset of positions, with ties broken by position so that the
 * same scores always give the same choice.
 */

/** The k positions of `candidates` with the smallest score, in increasing position order. */
export function smallestK(score: (i: number) => number, candidates: Uint32Array, k: number): Uint32Array {
  return selectK(score, candidates, k, 1);
}

/** The k positions of `candidates` with the largest score, in increasing position order. */
export function largestK(score: (i: number) => number, candidates: Uint32Array, k: number): Uint32Array {
  return selectK(score, candidates, k, -1);
}

function selectK(score: (i: number) => number, candidates: Uint32Array, k: number, sign: 1 | -1): Uint32Array {
  if (k <= 0) return new Uint32Array(0);
  if (k >= candidates.length) return candidates.slice();
  const keys = new Float64Array(candidates.length);
  for (let j = 0; j < candidates.length; j++) keys[j] = sign * score(candidates[j]!);
  const threshold = kthSmallest(keys.slice(), k - 1);
  const out = new Uint32Array(k);
  let n = 0;
  // Strictly below the threshold first, then ties at the threshold in position order.
  for (let j = 0; j < candidates.length; j++) if (keys[j]! < threshold) out[n++] = candidates[j]!;
  for (let j = 0; j < candidates.length && n < k; j++) if (keys[j] === threshold) out[n++] = candidates[j]!;
  return out.sort();
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

/** Positions where `mask` is (or is not) set. */
export function positions(mask: Uint8Array, active: boolean): Uint32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if ((mask[i] === 1) === active) count++;
  const out = new Uint32Array(count);
  let n = 0;
  for (let i = 0; i < mask.length; i++) if ((mask[i] === 1) === active) out[n++] = i;
  return out;
}
