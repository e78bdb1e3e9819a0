// Exact top-k by magnitude (largest or smallest) among the positions where a mask has a value,
// or among all, ties broken by position, as engine/sparse/select.ts does on the host: a RigL
// update ranks the weights of every layer for its drop and the |gradient| of every inactive
// position for its growth, and these passes over whole layers are what the host does slowest. A
// sampled bound leaves few candidates; the pass tests four values at a time.
import { f32At } from './memory';

const SAMPLE: i32 = 1024;
/** Entries past `capacity` that collect may write into (the lanes of a group that do not pass). */
const SLACK: usize = 4;

/**
 * The value that would sit at index k if keys[0..n) (none NaN) were sorted. The keys are left as
 * they are; `work` and `other` (n entries each) hold the ranges still searched. Each round splits
 * the range around a median-of-three pivot into a new buffer, those below it from the front and
 * those above from the back, writing every key to both ends and advancing the end it belongs to:
 * no branch on the keys (whose order is random; a partition that branched mispredicted half its
 * comparisons), and keys equal to the pivot, however many, end the search.
 */
function kthSmallest(keys: usize, n: i32, k: i32, work: usize, other: usize): f32 {
  let src = keys;
  let dst = work;
  let lo = 0;
  let hi = n;
  for (;;) {
    const a = load<f32>(f32At(src, lo));
    const b = load<f32>(f32At(src, (lo + hi) >>> 1));
    const c = load<f32>(f32At(src, hi - 1));
    const pivot = max(min(a, b), min(max(a, b), c));
    let below = lo;
    let above = hi - 1;
    for (let i = lo; i < hi; i++) {
      const key = load<f32>(f32At(src, i));
      store<f32>(f32At(dst, below), key);
      store<f32>(f32At(dst, above), key);
      below += <i32>(key < pivot);
      above -= <i32>(key > pivot);
    }
    if (k >= below && k <= above) return pivot;
    if (k < below) hi = below;
    else lo = above + 1;
    src = dst;
    dst = dst == work ? other : work;
  }
  return unreachable();
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
    const keys4 = f32x4.mul(signs, f32x4.abs(v128.load(f32At(values, i))));
    let lanes = i32x4.bitmask(f32x4.le(keys4, bounds));
    if (lanes == 0) continue;
    if (mask != 0) lanes &= i8x16.bitmask(i8x16.eq(v128.load32_zero(mask + <usize>i), wants));
    if (count + <i32>popcnt(lanes) > capacity) return -1;
    // All four lanes written, the count advanced past those that pass: no branch per lane, whose
    // outcome is random when a good share of the candidates pass (a drop ranks a third of them).
    store<i32>(f32At(positions, count), i);
    store<f32>(f32At(keys, count), f32x4.extract_lane(keys4, 0));
    count += lanes & 1;
    store<i32>(f32At(positions, count), i + 1);
    store<f32>(f32At(keys, count), f32x4.extract_lane(keys4, 1));
    count += (lanes >> 1) & 1;
    store<i32>(f32At(positions, count), i + 2);
    store<f32>(f32At(keys, count), f32x4.extract_lane(keys4, 2));
    count += (lanes >> 2) & 1;
    store<i32>(f32At(positions, count), i + 3);
    store<f32>(f32At(keys, count), f32x4.extract_lane(keys4, 3));
    count += lanes >> 3;
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
  return ((<usize>capacity + SLACK) * 4 + <usize>SAMPLE) << 2;
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
  const keys = positions + ((<usize>capacity + SLACK) << 2);
  const shuffled = keys + ((<usize>capacity + SLACK) << 2);
  const spare = shuffled + ((<usize>capacity + SLACK) << 2);
  const sample = spare + ((<usize>capacity + SLACK) << 2);
  // A key at least k candidates probably do not exceed, a little past the k-th smallest, from
  // evenly spaced probes; +∞ (everything) when the sample cannot tell.
  let bound: f32 = Infinity;
  if (count > 4 * SAMPLE) {
    const probes = <i32>min<i64>(<i64>n, (<i64>SAMPLE * <i64>n + <i64>count - 1) / <i64>count);
    // NaN keys, never chosen, are counted as candidates but left out of the sample (kthSmallest
    // takes none).
    let seen = 0;
    let taken = 0;
    for (let s = 0; s < probes && seen < SAMPLE; s++) {
      const i = <i32>(((<i64>s * 2 + 1) * <i64>n) / (<i64>probes * 2));
      if (!isCandidate(mask, <u8>want, i)) continue;
      seen++;
      const key = sign * Mathf.abs(load<f32>(f32At(values, i)));
      if (key == key) store<f32>(f32At(sample, taken++), key);
    }
    if (taken >= SAMPLE / 4) {
      const expected = (<f64>k * <f64>seen) / <f64>count;
      const rank = <i32>Math.ceil(expected + 4 * Math.sqrt(expected) + 4);
      if (rank < taken) bound = kthSmallest(sample, taken, rank, shuffled, spare);
    }
  }
  let found = collect(values, mask, <u8>want, n, sign, bound, positions, keys, capacity);
  if (found >= 0 && found < k && bound != Infinity) found = collect(values, mask, <u8>want, n, sign, Infinity, positions, keys, capacity);
  if (found < 0) return -1;
  if (found <= k) {
    memory.copy(out, positions, <usize>found << 2);
    return found;
  }
  const threshold = kthSmallest(keys, found, k - 1, shuffled, spare);
  // Neither loop branches on the keys: about half the candidates fall below the threshold, in
  // random order, and loops that branched mispredicted half their steps (fc1's growth ranking of
  // 7,000 among 211,680 took 0.21–0.27 ms with them, 0.14–0.16 without).
  let below = 0;
  for (let j = 0; j < found; j++) below += <i32>(load<f32>(f32At(keys, j)) < threshold);
  let ties = k - below;
  let m = 0;
  // Each candidate is written at out[m] and kept by advancing m; m < k wherever it is written.
  for (let j = 0; j < found && m < k; j++) {
    const key = load<f32>(f32At(keys, j));
    const tie = <i32>(key == threshold) & <i32>(ties > 0);
    store<i32>(f32At(out, m), load<i32>(f32At(positions, j)));
    m += <i32>(key < threshold) | tie;
    ties -= tie;
  }
  return m;
}
