// C = A·B (+ bias) for strided A [m, k] and B [k, n] (transposed operands are just other
// strides), or for A and Bᵀ both [·, k] in batch chunks along k, the work split between parts by
// whole tiles.
import { edgeTile, interleavedRows, MR, NR, PANEL_ROW_BYTES, packATile, packB, SEGMENT_BYTES, setSegment } from './gemm';
import { alignUp, BATCH_CHUNK, ceilDiv, chunkBlock, chunkLanes, f32At, shareStart } from './memory';

/** Rows of A prepared at a time: their tiles are reused across every B panel while in cache. */
const ROW_BLOCK: i32 = 64;
/** Bytes of packed B kept at a time: its panels are reused by every row block while in L2. */
const B_CHUNK_BYTES: i32 = 384 * 1024;

/** Columns of B packed at a time: whole panels, as many as fit B_CHUNK_BYTES. */
@inline function chunkColumns(k: i32): i32 {
  return max(1, B_CHUNK_BYTES / max(1, k * <i32>PANEL_ROW_BYTES)) * NR;
}

/**
 * Written by the caller (strides in elements, pointers and scratch in bytes; bias 0 for none).
 * With kChunks, k is a batch and A [m, k] and Bᵀ [n, k] are stored by batch chunk (memory.as
 * chunkBlock): the dense weight gradient xᵀ·dy of a compressed layer from the activations and
 * output gradient it keeps in chunks, read in place (the strides and bias are unused).
 */
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
  kChunks: i32;
}

/** Whether the parts split the columns (else the rows) of C: whichever has more tiles. */
@inline function splitsColumns(args: MatMulArgs): bool {
  return ceilDiv(args.n, NR) >= ceilDiv(args.m, MR);
}

/** Segments of a row of A: one per batch chunk with kChunks, else the whole row. */
@inline function segmentsOf(args: MatMulArgs): i32 {
  return args.kChunks ? ceilDiv(args.k, BATCH_CHUNK) : 1;
}

// Scratch of one part, in order: the bias padded to whole panels (or zeros), packed B for one
// chunk of columns, segment entries for a row block, its A tiles, one edge tile.
@inline function packedOffset(n: i32): usize {
  return alignUp(<usize>(ceilDiv(n, NR) * NR) * 4);
}
@inline function entriesOffset(n: i32, k: i32): usize {
  return packedOffset(n) + alignUp(<usize>min(ceilDiv(n, NR), chunkColumns(k) / NR) * <usize>k * PANEL_ROW_BYTES);
}
@inline function aTilesOffset(n: i32, k: i32, segments: i32): usize {
  return entriesOffset(n, k) + alignUp(<usize>(ROW_BLOCK / MR) * <usize>segments * SEGMENT_BYTES);
}
@inline function tmpOffset(n: i32, k: i32, segments: i32): usize {
  return aTilesOffset(n, k, segments) + alignUp(<usize>ROW_BLOCK * <usize>k * 4);
}

/** Bytes of scratch each part needs. */
export function matMulScratchBytes(argsPtr: usize): usize {
  const args = changetype<MatMulArgs>(argsPtr);
  return tmpOffset(args.n, args.k, segmentsOf(args)) + 128;
}

/** Packs columns [j0, j1) of B, whose rows (k) come in batch chunks of Bᵀ [n, k], into panels. */
function packChunkedB(b: usize, n: i32, k: i32, j0: i32, j1: i32, dst: usize, panelBytes: usize): void {
  for (let c = 0; c < ceilDiv(k, BATCH_CHUNK); c++) {
    const lanes = chunkLanes(k, c);
    packB(chunkBlock(b, n, c), 1, lanes, lanes, j0, j1, dst + <usize>(c * BATCH_CHUNK) * PANEL_ROW_BYTES, panelBytes);
  }
}

/**
 * The segment entry of rows [first, first + 4) of A [m, ·] (rows `rowStride` floats apart), read
 * in place. Rows past the end repeat the last one; their results are never stored.
 */
@inline function setRowsSegment(entry: usize, a: usize, rowStride: i32, m: i32, first: i32, panelOffset: usize): void {
  setSegment(
    entry,
    f32At(a, first * rowStride),
    f32At(a, min(first + 1, m - 1) * rowStride),
    f32At(a, min(first + 2, m - 1) * rowStride),
    f32At(a, min(first + 3, m - 1) * rowStride),
    panelOffset,
  );
}

/** The segment entries of the tile of rows [first, first + 4) of A [m, k] in batch chunks: one per chunk, read in place. */
function setChunkSegments(entry: usize, a: usize, m: i32, k: i32, first: i32): void {
  for (let c = 0; c < ceilDiv(k, BATCH_CHUNK); c++) {
    setRowsSegment(entry + <usize>c * SEGMENT_BYTES, chunkBlock(a, m, c), chunkLanes(k, c), m, first, <usize>(c * BATCH_CHUNK) * PANEL_ROW_BYTES);
  }
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

  const chunked = args.kChunks != 0;
  const segments = segmentsOf(args);
  const entryBytes = <usize>segments * SEGMENT_BYTES;
  const scratch = <usize>args.scratch + <usize>part * <usize>args.scratchPerPart;
  const init = scratch;
  const packed = scratch + packedOffset(n);
  const entries = scratch + entriesOffset(n, k);
  const aTiles = scratch + aTilesOffset(n, k, segments);
  const tmp = scratch + tmpOffset(n, k, segments);
  memory.fill(init, 0, <usize>(panelsN * NR) << 2);
  // In batch chunks a shorter last chunk is added onto C from init again: no bias there.
  if (args.bias != 0 && !chunked) memory.copy(init, args.bias, <usize>n << 2);
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const chunk = chunkColumns(k);
  // Rows of A run along k in memory: read in place. Otherwise pack them into interleaved tiles.
  const direct = chunked || args.aColStride == 1;
  // In batch chunks, the full chunks are one run of segments and a last, shorter one is added on.
  const fullChunks = chunked ? k / BATCH_CHUNK : 1;
  const segLen = chunked ? BATCH_CHUNK : k;
  const rest = chunked ? k % BATCH_CHUNK : 0;
  const aStride: usize = direct ? 4 : 16;
  const ldc = <usize>n << 2;
  for (let jc = j0; jc < j1; jc += chunk) {
    const jcEnd = min(j1, jc + chunk);
    if (chunked) packChunkedB(args.b, n, k, jc, jcEnd, packed, panelBytes);
    else packB(args.b, args.bRowStride, args.bColStride, k, jc, jcEnd, packed, panelBytes);
    for (let ib = i0; ib < i1; ib += ROW_BLOCK) {
      const blockEnd = min(i1, ib + ROW_BLOCK);
      const tiles = ceilDiv(blockEnd - ib, MR);
      for (let t = 0; t < tiles; t++) {
        const entry = entries + <usize>t * entryBytes;
        const first = ib + t * MR;
        if (chunked) {
          setChunkSegments(entry, args.a, m, k, first);
        } else if (direct) {
          setRowsSegment(entry, args.a, args.aRowStride, m, first, 0);
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
          const entry = entries + <usize>t * entryBytes;
          const c = f32At(args.c, first * n + jp);
          const rows = min(MR, blockEnd - first);
          // An empty batch in chunks still writes init (zeros), as a product over k = 0 does.
          if (fullChunks > 0 || rest == 0) edgeTile(entry, fullChunks, segLen, aStride, panel, c, ldc, rows, cols, false, f32At(init, jp), tmp);
          if (rest > 0) edgeTile(entry + <usize>fullChunks * SEGMENT_BYTES, 1, rest, aStride, panel, c, ldc, rows, cols, fullChunks > 0, f32At(init, jp), tmp);
        }
      }
    }
  }
}
