// Exact top-k by magnitude (largest or smallest) among the positions where a mask has a value,
// or among all, ties broken by position, as engine/sparse/select.ts does on the host: a RigL
// update ranks the weights of every layer for its drop and the |gradient| of every inactive
// position for its growth, and these passes over whole layers are what the host does slowest. A
// sampled bound leaves few candidates; the pass tests four values at a time.
import { f32At } from './memory';

const SAMPLE: i32 = 1024;

/** Quickselect: the value that would sit at index k if keys[0..n) were sorted (keys are reordered). */
function kthSmallest(keys: usize, n: i32, k: i32): f32 {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = load<f32>(f32At(keys, (lo + hi) >>> 1));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (load<f32>(f32At(keys, i)) < pivot) i++;
      while (load<f32>(f32At(keys, j)) > pivot) j--;
      if (i <= j) {
        const t = load<f32>(f32At(keys, i));
        store<f32>(f32At(keys, i), load<f32>(f32At(keys, j)));
        store<f32>(f32At(keys, j), t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return load<f32>(f32At(keys, k));
  }
  return load<f32>(f32At(keys, k));
}

/** Whether position i is a candidate: every position without a mask, else mask[i] == want. */
@inline function isCandidate(mask: usize, want: u8, i: i32): bool {
  return mask == 0 || load<u8>(mask + <usize>i) == want;
}

/**
 * Appends every candidate position i < n whose key sign·|values[i]| is at most `bound`, with its
 * key, in position order; returns how many, or −1 past `capacity`.
 */
function collect(values: usize, mask: usize, want: u8, n: i32, sign: f32, bound: f32, positions: usize, keys: usize, capacity: i32): i32 {
  const signs = f32x4.splat(sign);
  const bounds = f32x4.splat(bound);
  const wants = i8x16.splat(want);
  let count = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    // One bit per lane that passes the bound (NaN never does), then per lane that is a candidate.
    let lanes = i32x4.bitmask(f32x4.le(f32x4.mul(signs, f32x4.abs(v128.load(f32At(values, i)))), bounds));
    if (lanes == 0) continue;
    if (mask != 0) lanes &= i8x16.bitmask(i8x16.eq(v128.load32_zero(mask + <usize>i), wants));
    while (lanes != 0) {
      const lane = ctz(lanes);
      lanes &= lanes - 1;
      if (count == capacity) return -1;
      store<i32>(f32At(positions, count), i + lane);
      store<f32>(f32At(keys, count++), sign * Mathf.abs(load<f32>(f32At(values, i + lane))));
    }
  }
  for (; i < n; i++) {
    const key = sign * Mathf.abs(load<f32>(f32At(values, i)));
    if (key <= bound && isCandidate(mask, want, i)) {
      if (count == capacity) return -1;
      store<i32>(f32At(positions, count), i);
      store<f32>(f32At(keys, count++), key);
    }
  }
  return count;
}

/** Bytes of scratch for selectMagnitudes with room for `capacity` candidates. */
export function selectMagnitudesScratchBytes(capacity: i32): usize {
  return (<usize>capacity * 3 + <usize>SAMPLE) << 2;
}

/**
 * The k candidate positions (mask == want, or all when mask is 0; there are `count`) of largest
 * |values| (largest = 1) or smallest (0), in increasing order, into out; ties at the k-th go to
 * the first positions. Returns how many were written (fewer than k only where fewer candidates
 * have a magnitude that is not NaN), or −1 when more than `capacity` candidates pass the sampled
 * bound (call again with capacity = count).
 */
export function selectMagnitudes(values: usize, mask: usize, want: i32, n: i32, count: i32, k: i32, largest: i32, scratch: usize, capacity: i32, out: usize): i32 {
  if (k <= 0) return 0;
  const sign: f32 = largest ? -1 : 1;
  const positions = scratch;
  const keys = positions + (<usize>capacity << 2);
  const shuffled = keys + (<usize>capacity << 2);
  const sample = shuffled + (<usize>capacity << 2);
  // A key at least k candidates probably do not exceed, a little past the k-th smallest, from
  // evenly spaced probes; +∞ (everything) when the sample cannot tell.
  let bound: f32 = Infinity;
  if (count > 4 * SAMPLE) {
    const probes = <i32>min<i64>(<i64>n, (<i64>SAMPLE * <i64>n + <i64>count - 1) / <i64>count);
    let taken = 0;
    for (let s = 0; s < probes && taken < SAMPLE; s++) {
      const i = <i32>(((<i64>s * 2 + 1) * <i64>n) / (<i64>probes * 2));
      if (isCandidate(mask, <u8>want, i)) store<f32>(f32At(sample, taken++), sign * Mathf.abs(load<f32>(f32At(values, i))));
    }
    if (taken >= SAMPLE / 4) {
      const expected = (<f64>k * <f64>taken) / <f64>count;
      const rank = <i32>Math.ceil(expected + 4 * Math.sqrt(expected) + 4);
      if (rank < taken) bound = kthSmallest(sample, taken, rank);
    }
  }
  let found = collect(values, mask, <u8>want, n, sign, bound, positions, keys, capacity);
  if (found >= 0 && found < k && bound != Infinity) found = collect(values, mask, <u8>want, n, sign, Infinity, positions, keys, capacity);
  if (found < 0) return -1;
  if (found <= k) {
    memory.copy(out, positions, <usize>found << 2);
    return found;
  }
  memory.copy(shuffled, keys, <usize>found << 2);
  const threshold = kthSmallest(shuffled, found, k - 1);
  let below = 0;
  for (let j = 0; j < found; j++) if (load<f32>(f32At(keys, j)) < threshold) below++;
  let ties = k - below;
  let m = 0;
  for (let j = 0; j < found && m < k; j++) {
    const key = load<f32>(f32At(keys, j));
    if (key < threshold || (key == threshold && ties-- > 0)) store<i32>(f32At(out, m++), load<i32>(f32At(positions, j)));
  }
  return m;
}
