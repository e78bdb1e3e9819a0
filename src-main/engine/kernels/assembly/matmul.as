// C = A·B for strided A [m, k] and B [k, n] (transposed operands are just other strides), the
// work split between parts by whole tiles.
import { edgeTile, interleavedRows, MR, NR, PANEL_ROW_BYTES, packATile, packB } from './gemm';
import { alignUp, ceilDiv, f32At, shareStart } from './memory';

/** Rows of A prepared at a time: their tiles are reused across every B panel while in cache. */
const ROW_BLOCK: i32 = 64;
/** Bytes of packed B kept at a time: its panels are reused by every row block while in L2. */
const B_CHUNK_BYTES: i32 = 384 * 1024;

/** Columns of B packed at a time: whole panels, as many as fit B_CHUNK_BYTES. */
@inline function chunkColumns(k: i32): i32 {
  return max(1, B_CHUNK_BYTES / max(1, k * <i32>PANEL_ROW_BYTES)) * NR;
}

/** Written by the caller (strides in elements, pointers and scratch in bytes). */
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
  scratch: u32;
  scratchPerPart: u32;
}

/** Whether the parts split the columns (else the rows) of C: whichever has more tiles. */
@inline function splitsColumns(args: MatMulArgs): bool {
  return ceilDiv(args.n, NR) >= ceilDiv(args.m, MR);
}

/** Bytes of scratch each part needs (packed B for one chunk of columns, row pointers, A tiles, one edge tile). */
export function matMulScratchBytes(argsPtr: usize): usize {
  const args = changetype<MatMulArgs>(argsPtr);
  const panels = min(ceilDiv(args.n, NR), chunkColumns(args.k) / NR);
  return alignUp(<usize>panels * <usize>args.k * PANEL_ROW_BYTES) + alignUp(<usize>(ROW_BLOCK / MR) * 16) + alignUp(<usize>ROW_BLOCK * <usize>args.k * 4) + 128;
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
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const chunk = chunkColumns(k);
  const packed = scratch;
  const rowPtrs = packed + alignUp(<usize>min(ceilDiv(n, NR), chunk / NR) * panelBytes);
  const aTiles = rowPtrs + alignUp(<usize>(ROW_BLOCK / MR) * 16);
  const tmp = aTiles + alignUp(<usize>ROW_BLOCK * <usize>k * 4);
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
        const rows = rowPtrs + <usize>t * 16;
        const first = ib + t * MR;
        if (direct) {
          // Rows past the end repeat the last one; their results are never stored.
          for (let r = 0; r < MR; r++) store<u32>(rows + <usize>r * 4, <u32>f32At(args.a, min(first + r, m - 1) * args.aRowStride));
        } else {
          const tile = aTiles + <usize>t * <usize>k * 16;
          packATile(args.a, args.aRowStride, args.aColStride, first, m, k, tile);
          interleavedRows(rows, tile);
        }
      }
      for (let jp = jc; jp < jcEnd; jp += NR) {
        const panel = packed + <usize>((jp - jc) / NR) * panelBytes;
        const cols = min(NR, n - jp);
        for (let t = 0; t < tiles; t++) {
          const first = ib + t * MR;
          edgeTile(rowPtrs + <usize>t * 16, 1, k, aStride, panel, f32At(args.c, first * n + jp), ldc, min(MR, blockEnd - first), cols, false, tmp);
        }
      }
    }
  }
}
