// Pointer arithmetic and whole-buffer helpers shared by the kernels. Every pointer is a byte
// offset into tfjs-wasm's heap; sizes are in f32 elements unless a name ends in Bytes.

@inline export function f32At(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** dst[0..n) = 0 */
@inline export function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

/** dst[0..n) += src[0..n) */
@inline export function addTo(dst: usize, src: usize, n: i32): void {
  const vecEnd = n & ~3;
  let b = 0;
  for (; b < vecEnd; b += 4) {
    const d = f32At(dst, b);
    v128.store(d, f32x4.add(v128.load(d), v128.load(f32At(src, b))));
  }
  for (; b < n; b++) store<f32>(f32At(dst, b), load<f32>(f32At(dst, b)) + load<f32>(f32At(src, b)));
}

/** The lanes of v summed as (0 + 2) + (1 + 3). */
@inline export function laneSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2)) + (f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3));
}

/** Each part's share of the units over the one before it. */
const SHARE_RATIO: f64 = 0.875;

/**
 * Where part `part` of `parts` starts in `units` units (part `parts` starting at `units`): the
 * parts are contiguous and shrink, each about 7/8 of the one before, so that the last ones,
 * which the first thread to finish waits for, are short. The same arguments always give the
 * same boundary.
 */
export function shareStart(units: i32, part: i32, parts: i32): i32 {
  if (part <= 0) return 0;
  if (part >= parts) return units;
  let before: f64 = 1;
  for (let i = 0; i < part; i++) before *= SHARE_RATIO;
  let all = before;
  for (let i = part; i < parts; i++) all *= SHARE_RATIO;
  return min(units, <i32>(<f64>units * ((1 - before) / (1 - all))));
}

/** Examples per chunk of a batch split across pinned parts (BATCH_CHUNK in kernel-runtime.ts). */
export const BATCH_CHUNK: i32 = 32;

/**
 * Where part `part` of `parts` starts in a batch of `batch` examples split in whole chunks of
 * BATCH_CHUNK, the chunks shared out evenly (one part: the whole batch; as many parts as chunks:
 * one chunk each).
 */
@inline export function chunkStart(batch: i32, part: i32, parts: i32): i32 {
  const chunks = (batch + BATCH_CHUNK - 1) / BATCH_CHUNK;
  return min(batch, <i32>((<i64>chunks * part) / parts) * BATCH_CHUNK);
}

/** The first and one-past-last chunk of part `part` of `parts` (see chunkStart), packed in an i64. */
@inline export function partChunks(batch: i32, part: i32, parts: i32): i64 {
  return (<i64>(chunkStart(batch, part, parts) / BATCH_CHUNK) << 32) | <i64>ceilDiv(chunkStart(batch, part + 1, parts), BATCH_CHUNK);
}

/** Examples in chunk `chunk` of a batch: BATCH_CHUNK, or what is left for the last one. */
@inline export function chunkLanes(batch: i32, chunk: i32): i32 {
  return min(BATCH_CHUNK, batch - chunk * BATCH_CHUNK);
}

/**
 * Where chunk `chunk` starts in a [rows, batch] matrix stored by batch chunk: each chunk a
 * row-major [rows, chunkLanes] block, one after the other (the same floats as [rows, batch]).
 */
@inline export function chunkBlock(base: usize, rows: i32, chunk: i32): usize {
  return f32At(base, rows * chunk * BATCH_CHUNK);
}

@inline export function ceilDiv(a: i32, b: i32): i32 {
  return (a + b - 1) / b;
}

@inline export function alignUp(bytes: usize): usize {
  return (bytes + 63) & ~63;
}
