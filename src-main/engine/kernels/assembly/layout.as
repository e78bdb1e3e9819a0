// Moving data without arithmetic.
import { BATCH_CHUNK, ceilDiv, chunkBlock, chunkLanes, f32At, partChunks, shareStart } from './memory';

/** Input columns handled per sweep: keeps the output rows being written few enough to stay in L1. */
const COLUMN_BLOCK: i32 = 64;

/** transpose2d's split: x's columns in shrinking shares (any number of parts). */
export const SPLIT_COLUMNS: i32 = 0;
/** transpose2d's mode: x is [batch, n]; out is [n, batch] stored by batch chunk (sparse.as), parts split the chunks. */
export const TO_CHUNKS: i32 = 1;
/** transpose2d's mode: x is [n, batch] stored by batch chunk; out is [batch, n], parts split the chunks. */
export const FROM_CHUNKS: i32 = 2;

/**
 * out[cols, rows] = x[rows, cols]ᵀ, 4×4 blocks transposed in registers. `mode` SPLIT_COLUMNS:
 * plain matrices, parts split x's columns. TO_CHUNKS / FROM_CHUNKS: one side stored by batch
 * chunk (rows = batch, or cols = batch), parts split the chunks (for runPinned).
 */
export function transpose2d(x: usize, rows: i32, cols: i32, out: usize, mode: i32, part: i32, parts: i32): void {
  if (mode == SPLIT_COLUMNS) {
    const blocks = ceilDiv(cols, 4);
    transposeBlock(x, rows, cols, out, 0, rows, shareStart(blocks, part, parts) * 4, min(cols, shareStart(blocks, part + 1, parts) * 4));
    return;
  }
  const batch = mode == TO_CHUNKS ? rows : cols;
  const n = mode == TO_CHUNKS ? cols : rows;
  const chunks = partChunks(batch, part, parts);
  for (let c = <i32>(chunks >> 32); c < <i32>chunks; c++) {
    const lanes = chunkLanes(batch, c);
    const first = c * BATCH_CHUNK;
    if (mode == TO_CHUNKS) transposeToChunk(x, batch, n, out, c);
    else transposeBlock(chunkBlock(x, n, c), n, lanes, f32At(out, first * n), 0, n, 0, lanes);
  }
}

/** Chunk c of x [batch, n] into chunk c of out, [n, batch] stored by batch chunk. */
export function transposeToChunk(x: usize, batch: i32, n: i32, out: usize, c: i32): void {
  transposeBlock(f32At(x, c * BATCH_CHUNK * n), chunkLanes(batch, c), n, chunkBlock(out, n, c), 0, chunkLanes(batch, c), 0, n);
}

/** transpose2d on rows [r0, r1) and columns [c0, c1) of x, in blocks of COLUMN_BLOCK columns. */
function transposeBlock(x: usize, rows: i32, cols: i32, out: usize, r0: i32, r1: i32, c0: i32, c1: i32): void {
  for (let cb = c0; cb < c1; cb += COLUMN_BLOCK) {
    transposeStrided(f32At(x, r0 * cols + cb), r1 - r0, min(c1, cb + COLUMN_BLOCK) - cb, cols, f32At(out, cb * rows + r0), rows);
  }
}

/**
 * dst[c·dstStride + r] = src[r·srcStride + c] for r < rows, c < cols (strides in floats, any
 * alignment): 4×4 blocks transposed in registers, the edges one by one.
 */
export function transposeStrided(src: usize, rows: i32, cols: i32, srcStride: i32, dst: usize, dstStride: i32): void {
  const inRow = <usize>srcStride << 2;
  const outRow = <usize>dstStride << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const at = f32At(src, r * srcStride + c);
      const r0v = v128.load(at);
      const r1v = v128.load(at + inRow);
      const r2v = v128.load(at + 2 * inRow);
      const r3v = v128.load(at + 3 * inRow);
      const t0 = v128.shuffle<f32>(r0v, r1v, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r2v, r3v, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0v, r1v, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(r2v, r3v, 2, 6, 3, 7);
      const to = f32At(dst, c * dstStride + r);
      v128.store(to, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(to + outRow, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(to + 2 * outRow, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(to + 3 * outRow, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; c < cols; c++) {
      for (let i = 0; i < 4; i++) store<f32>(f32At(dst, c * dstStride + r + i), load<f32>(f32At(src, (r + i) * srcStride + c)));
    }
  }
  for (; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(f32At(dst, c * dstStride + r), load<f32>(f32At(src, r * srcStride + c)));
  }
}
