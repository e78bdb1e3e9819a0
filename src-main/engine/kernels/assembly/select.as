// Exact top-k by magnitude (largest or smallest) among the positions where a mask has a value,
// or among all, ties broken by position, as engine/sparse/select.ts does on the host: a RigL
// update ranks the weights of every layer for its drop and the |gradient| of every inactive
// position for its growth, and these passes over whole layers are what the host does slowest. A
// sampled bound leaves few candidates; the pass over the layer tests four values at a time, and
// runs in parts on every thread (selectCollect): in a RigL update it reads a gradient the
// threads of the product have just written.
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
 * Appends every candidate position i in [from, to) whose key sign·|values[i]| is at most `bound`,
 * with its key, in position order; returns how many, or −1 past `capacity`.
 */
function collect(values: usize, mask: usize, want: u8, from: i32, to: i32, sign: f32, bound: f32, positions: usize, keys: usize, capacity: i32): i32 {
  const signs = f32x4.splat(sign);
  const bounds = f32x4.splat(bound);
  const wants = i8x16.splat(want);
  let count = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) {
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
  for (; i < to; i++) {
    const key = sign * Mathf.abs(load<f32>(f32At(values, i)));
    if (key <= bound && isCandidate(mask, want, i)) {
      if (count == capacity) return -1;
      store<i32>(f32At(positions, count), i);
      store<f32>(f32At(keys, count++), key);
    }
  }
  return count;
}

/**
 * Where the scratch of a selection keeps what it needs, for `parts` parts of the collecting pass
 * with room for `capacity` candidates each: every part's positions and keys, then two buffers for
 * kthSmallest, the sample, and each part's count.
 */
@inline function partPositions(scratch: usize, capacity: i32, part: i32): usize {
  return scratch + <usize>part * ((<usize>capacity + SLACK) << 2);
}
@inline function partKeys(scratch: usize, capacity: i32, parts: i32, part: i32): usize {
  return partPositions(scratch, capacity, parts + part);
}
@inline function shuffledAt(scratch: usize, capacity: i32, parts: i32): usize {
  return partPositions(scratch, capacity, 2 * parts);
}
@inline function spareAt(scratch: usize, capacity: i32, parts: i32): usize {
  return partPositions(scratch, capacity, 2 * parts + 1);
}
@inline function sampleAt(scratch: usize, capacity: i32, parts: i32): usize {
  return partPositions(scratch, capacity, 2 * parts + 2);
}
@inline function foundAt(scratch: usize, capacity: i32, parts: i32): usize {
  return sampleAt(scratch, capacity, parts) + (<usize>SAMPLE << 2);
}

/** Bytes of scratch for a selection whose collecting pass runs in `parts` parts with room for `capacity` candidates each. */
export function selectMagnitudesScratchBytes(capacity: i32, parts: i32): usize {
  return foundAt(0, capacity, parts) + (<usize>parts << 2);
}

@inline function signOf(largest: i32): f32 {
  return largest ? -1 : 1;
}

/**
 * The first step of a selection (selectBound, selectCollect, selectFinish) of the k candidate
 * positions (mask == want, or all when mask is 0; there are `count`) of largest |values|
 * (largest = 1) or smallest (0): a key at least k candidates probably do not exceed, a little
 * past the k-th smallest, from evenly spaced probes; +∞ (everything) when the sample cannot tell.
 */
export function selectBound(values: usize, mask: usize, want: i32, n: i32, count: i32, k: i32, largest: i32, scratch: usize, capacity: i32, parts: i32): f32 {
  if (k <= 0 || count <= 4 * SAMPLE) return Infinity;
  const sign = signOf(largest);
  const sample = sampleAt(scratch, capacity, parts);
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
  if (taken < SAMPLE / 4) return Infinity;
  const expected = (<f64>k * <f64>seen) / <f64>count;
  const rank = <i32>Math.ceil(expected + 4 * Math.sqrt(expected) + 4);
  if (rank >= taken) return Infinity;
  return kthSmallest(sample, taken, rank, shuffledAt(scratch, capacity, parts), spareAt(scratch, capacity, parts));
}

/**
 * The collecting pass of a selection, split by position: part `part` lists the candidates of its
 * range that pass `bound`, with their keys, in its own room, and their number (or −1 past
 * `capacity`) in its count. The lists, taken in part order, are in position order.
 */
export function selectCollect(values: usize, mask: usize, want: i32, n: i32, largest: i32, bound: f32, scratch: usize, capacity: i32, part: i32, parts: i32): void {
  const quads = <i64>(n >> 2);
  const from = <i32>((quads * part) / parts) << 2;
  const to = part == parts - 1 ? n : <i32>((quads * (part + 1)) / parts) << 2;
  const found = collect(values, mask, <u8>want, from, to, signOf(largest), bound, partPositions(scratch, capacity, part), partKeys(scratch, capacity, parts, part), capacity);
  store<i32>(foundAt(scratch, capacity, parts) + (<usize>part << 2), found);
}

/**
 * The last step of a selection: the k positions of the collected candidates (after selectBound
 * and selectCollect with the same arguments) with the smallest keys, in increasing order, into
 * out; ties at the k-th go to the first positions. Returns how many were written (fewer than k
 * only where fewer candidates have a magnitude that is not NaN), or −1 when more than `capacity`
 * candidates passed the bound (select again with capacity = count).
 */
export function selectFinish(values: usize, mask: usize, want: i32, n: i32, k: i32, largest: i32, bound: f32, scratch: usize, capacity: i32, parts: i32, out: usize): i32 {
  if (k <= 0) return 0;
  const positions = partPositions(scratch, capacity, 0);
  const keys = partKeys(scratch, capacity, parts, 0);
  // The parts' lists, one after another in the first part's room.
  let found = 0;
  for (let part = 0; part < parts; part++) {
    const count = load<i32>(foundAt(scratch, capacity, parts) + (<usize>part << 2));
    if (count < 0 || found + count > capacity) return -1;
    if (part > 0) {
      memory.copy(f32At(positions, found), partPositions(scratch, capacity, part), <usize>count << 2);
      memory.copy(f32At(keys, found), partKeys(scratch, capacity, parts, part), <usize>count << 2);
    }
    found += count;
  }
  if (found < k && bound != Infinity) found = collect(values, mask, <u8>want, 0, n, signOf(largest), Infinity, positions, keys, capacity);
  if (found < 0) return -1;
  if (found <= k) {
    memory.copy(out, positions, <usize>found << 2);
    return found;
  }
  const threshold = kthSmallest(keys, found, k - 1, shuffledAt(scratch, capacity, parts), spareAt(scratch, capacity, parts));
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
