// C = A·B (+ bias) for strided A [m, k] and B [k, n] (transposed operands are just other
// strides), the work split between parts by whole tiles.
import { edgeTile, interleavedRows, MR, NR, PANEL_ROW_BYTES, packATile, packB, SEGMENT_BYTES, setSegment } from './gemm';
import { alignUp, ceilDiv, f32At, shareStart } from './memory';

/** Rows of A prepared at a time: their tiles are reused across every B panel while in cache. */
const ROW_BLOCK: i32 = 64;
/** Bytes of packed B kept at a time: its panels are reused by every row block while in L2. */
const B_CHUNK_BYTES: i32 = 384 * 1024;

/** Columns of B packed at a time: whole panels, as many as fit B_CHUNK_BYTES. */
@inline function chunkColumns(k: i32): i32 {
  return max(1, B_CHUNK_BYTES / max(1, k * <i32>PANEL_ROW_BYTES)) * NR;
}

/** Written by the caller (strides in elements, pointers and scratch in bytes; bias 0 for none). */
@unmanaged export class MatMulArgs {
  m: i32;
  n: i32;
  k: i32;
  a: u32;
  aRowStride: i32;
  aColStride: i32;
  b: u32;
  bRowStride: i32;
  bColStride: i32;
  c: u32;
  bias: u32;
  scratch: u32;
  scratchPerPart: u32;
}

/** Whether the parts split the columns (else the rows) of C: whichever has more tiles. */
@inline function splitsColumns(args: MatMulArgs): bool {
  return ceilDiv(args.n, NR) >= ceilDiv(args.m, MR);
}

// Scratch of one part, in order: the bias padded to whole panels (or zeros), packed B for one
// chunk of columns, segment entries for a row block, its A tiles, one edge tile.
@inline function packedOffset(n: i32): usize {
  return alignUp(<usize>(ceilDiv(n, NR) * NR) * 4);
}
@inline function entriesOffset(n: i32, k: i32): usize {
  return packedOffset(n) + alignUp(<usize>min(ceilDiv(n, NR), chunkColumns(k) / NR) * <usize>k * PANEL_ROW_BYTES);
}
@inline function aTilesOffset(n: i32, k: i32): usize {
  return entriesOffset(n, k) + alignUp(<usize>(ROW_BLOCK / MR) * SEGMENT_BYTES);
}
@inline function tmpOffset(n: i32, k: i32): usize {
  return aTilesOffset(n, k) + alignUp(<usize>ROW_BLOCK * <usize>k * 4);
}

/** Bytes of scratch each part needs. */
export function matMulScratchBytes(argsPtr: usize): usize {
  const args = changetype<MatMulArgs>(argsPtr);
  return tmpOffset(args.n, args.k) + 128;
}

export function matMul(argsPtr: usize, part: i32, parts: i32): void {
  const args = changetype<MatMulArgs>(argsPtr);
  const m = args.m, n = args.n, k = args.k;
  const tilesM = ceilDiv(m, MR);
  const panelsN = ceilDiv(n, NR);
  let i0 = 0, i1 = m, j0 = 0, j1 = n;
  if (splitsColumns(args)) {
    j0 = shareStart(panelsN, part, parts) * NR;
    j1 = min(n, shareStart(panelsN, part + 1, parts) * NR);
  } else {
    i0 = shareStart(tilesM, part, parts) * MR;
    i1 = min(m, shareStart(tilesM, part + 1, parts) * MR);
  }
  if (i0 >= i1 || j0 >= j1) return;

  const scratch = <usize>args.scratch + <usize>part * <usize>args.scratchPerPart;
  const init = scratch;
  const packed = scratch + packedOffset(n);
  const entries = scratch + entriesOffset(n, k);
  const aTiles = scratch + aTilesOffset(n, k);
  const tmp = scratch + tmpOffset(n, k);
  memory.fill(init, 0, <usize>(panelsN * NR) << 2);
  if (args.bias != 0) memory.copy(init, args.bias, <usize>n << 2);
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const chunk = chunkColumns(k);
  // Rows of A run along k in memory: read in place. Otherwise pack them into interleaved tiles.
  const direct = args.aColStride == 1;
  const aStride: usize = direct ? 4 : 16;
  const ldc = <usize>n << 2;
  for (let jc = j0; jc < j1; jc += chunk) {
    const jcEnd = min(j1, jc + chunk);
    packB(args.b, args.bRowStride, args.bColStride, k, jc, jcEnd, packed, panelBytes);
    for (let ib = i0; ib < i1; ib += ROW_BLOCK) {
      const blockEnd = min(i1, ib + ROW_BLOCK);
      const tiles = ceilDiv(blockEnd - ib, MR);
      for (let t = 0; t < tiles; t++) {
        const entry = entries + <usize>t * SEGMENT_BYTES;
        const first = ib + t * MR;
        if (direct) {
          // Rows past the end repeat the last one; their results are never stored.
          const rs = args.aRowStride;
          setSegment(entry, f32At(args.a, first * rs), f32At(args.a, min(first + 1, m - 1) * rs), f32At(args.a, min(first + 2, m - 1) * rs), f32At(args.a, min(first + 3, m - 1) * rs), 0);
        } else {
          const tile = aTiles + <usize>t * <usize>k * 16;
          packATile(args.a, args.aRowStride, args.aColStride, first, m, k, tile);
          interleavedRows(entry, tile);
        }
      }
      for (let jp = jc; jp < jcEnd; jp += NR) {
        const panel = packed + <usize>((jp - jc) / NR) * panelBytes;
        const cols = min(NR, n - jp);
        for (let t = 0; t < tiles; t++) {
          const first = ib + t * MR;
          edgeTile(entries + <usize>t * SEGMENT_BYTES, 1, k, aStride, panel, f32At(args.c, first * n + jp), ldc, min(MR, blockEnd - first), cols, false, f32At(init, jp), tmp);
        }
      }
    }
  }
}
