// The register-blocked core shared by every dense product: a 4×8 tile of C from 4 rows of A
// (each read through its own pointer) and an 8-wide panel of packed B. Reading A through
// pointers lets convolutions skip im2col: a row of A is a list of segments (one per kernel tap),
// each a run of contiguous input channels, or a run of zeros where the tap falls in the padding.
import { f32At } from './memory';

/** Rows of a tile. */
export const MR: i32 = 4;
/** Columns of a tile: two f32x4 vectors. */
export const NR: i32 = 8;
/** Bytes of one packed B row (NR floats). */
export const PANEL_ROW_BYTES: usize = 32;

/** Bytes of one segment entry: 4 row pointers, then the byte offset of its rows in the B panel. */
export const SEGMENT_BYTES: usize = 20;

/**
 * C[4×8] (=, or += when `accumulate`) init + Σ_seg Σ_t a_r(seg, t)·B[seg, t, 0..8]. `rows` holds
 * one entry per segment (SEGMENT_BYTES each: 4 row pointers, u32, then the offset of the
 * segment's first row in the packed panel); a row's pointer advances by `aStride` bytes per t,
 * the panel by one row (NR floats). `init` points at 8 floats every row starts from (a bias, or
 * zeros). `ldc` is in bytes.
 */
export function microTile(rows: usize, segments: i32, segLen: i32, aStride: usize, panel: usize, c: usize, ldc: usize, accumulate: bool, init: usize): void {
  const i0 = v128.load(init);
  const i1 = v128.load(init, 16);
  let c00 = i0, c01 = i1, c10 = i0, c11 = i1, c20 = i0, c21 = i1, c30 = i0, c31 = i1;
  for (let s = 0; s < segments; s++) {
    let p0 = <usize>load<u32>(rows), p1 = <usize>load<u32>(rows, 4), p2 = <usize>load<u32>(rows, 8), p3 = <usize>load<u32>(rows, 12);
    let bp = panel + <usize>load<u32>(rows, 16);
    rows += SEGMENT_BYTES;
    for (let t = 0; t < segLen; t++) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let a = v128.load32_splat(p0);
      c00 = f32x4.add(c00, f32x4.mul(a, b0));
      c01 = f32x4.add(c01, f32x4.mul(a, b1));
      a = v128.load32_splat(p1);
      c10 = f32x4.add(c10, f32x4.mul(a, b0));
      c11 = f32x4.add(c11, f32x4.mul(a, b1));
      a = v128.load32_splat(p2);
      c20 = f32x4.add(c20, f32x4.mul(a, b0));
      c21 = f32x4.add(c21, f32x4.mul(a, b1));
      a = v128.load32_splat(p3);
      c30 = f32x4.add(c30, f32x4.mul(a, b0));
      c31 = f32x4.add(c31, f32x4.mul(a, b1));
      p0 += aStride;
      p1 += aStride;
      p2 += aStride;
      p3 += aStride;
      bp += PANEL_ROW_BYTES;
    }
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc));
    c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc));
    c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc));
    c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * microTile for a tile of which only `rowCount` × `colCount` lies inside C: computed into `tmp`
 * (4×8 floats), then the valid part copied (or added) into C.
 */
export function edgeTile(
  rows: usize, segments: i32, segLen: i32, aStride: usize, panel: usize,
  c: usize, ldc: usize, rowCount: i32, colCount: i32, accumulate: bool, init: usize, tmp: usize,
): void {
  if (rowCount == MR && colCount == NR) {
    microTile(rows, segments, segLen, aStride, panel, c, ldc, accumulate, init);
    return;
  }
  microTile(rows, segments, segLen, aStride, panel, tmp, PANEL_ROW_BYTES, false, init);
  for (let r = 0; r < rowCount; r++) {
    const out = c + <usize>r * ldc;
    const from = tmp + <usize>r * PANEL_ROW_BYTES;
    for (let j = 0; j < colCount; j++) {
      const value = load<f32>(f32At(from, j));
      store<f32>(f32At(out, j), accumulate ? load<f32>(f32At(out, j)) + value : value);
    }
  }
}

/** One segment entry: the 4 row pointers and the segment's offset in the panel. */
@inline export function setSegment(entry: usize, p0: usize, p1: usize, p2: usize, p3: usize, panelOffset: usize): void {
  store<u32>(entry, <u32>p0);
  store<u32>(entry, <u32>p1, 4);
  store<u32>(entry, <u32>p2, 8);
  store<u32>(entry, <u32>p3, 12);
  store<u32>(entry, <u32>panelOffset, 16);
}

/** The single segment of an interleaved tile packed by packATile (row r at tile + 4r, 16 bytes per k). */
@inline export function interleavedRows(entry: usize, tile: usize): void {
  setSegment(entry, tile, tile + 4, tile + 8, tile + 12, 0);
}

/**
 * Packs rows [0, kCount) and columns [j0, j1) of B (element (k, j) at b + (k·rs + j·cs)·4) into
 * panels of NR columns: panel p starts at dst + p·panelBytes, row k of it at + k·32; columns
 * past j1 are zero.
 */
export function packB(b: usize, rs: i32, cs: i32, kCount: i32, j0: i32, j1: i32, dst: usize, panelBytes: usize): void {
  for (let jp = j0; jp < j1; jp += NR) {
    const width = min(NR, j1 - jp);
    const panel = dst + <usize>((jp - j0) / NR) * panelBytes;
    if (cs == 1 && width == NR) {
      for (let k = 0; k < kCount; k++) {
        const from = f32At(b, k * rs + jp);
        const to = panel + <usize>k * PANEL_ROW_BYTES;
        v128.store(to, v128.load(from));
        v128.store(to, v128.load(from, 16), 16);
      }
    } else if (rs == 1 && width == NR) {
      packTransposedPanel(f32At(b, jp * cs), cs, kCount, panel);
    } else {
      for (let k = 0; k < kCount; k++) {
        const to = panel + <usize>k * PANEL_ROW_BYTES;
        for (let j = 0; j < NR; j++) store<f32>(f32At(to, j), j < width ? load<f32>(f32At(b, k * rs + (jp + j) * cs)) : 0);
      }
    }
  }
}

/**
 * One full panel of a B whose columns are contiguous (rs = 1, column j at b + j·cs·4): 4×4
 * blocks are transposed in registers, so every load and store is a whole vector.
 */
function packTransposedPanel(b: usize, cs: i32, kCount: i32, panel: usize): void {
  const colBytes = <usize>cs << 2;
  const vecEnd = kCount & ~3;
  let k = 0;
  for (; k < vecEnd; k += 4) {
    for (let half = 0; half < 2; half++) {
      const col = b + <usize>(half * 4) * colBytes + (<usize>k << 2);
      const r0 = v128.load(col);
      const r1 = v128.load(col + colBytes);
      const r2 = v128.load(col + 2 * colBytes);
      const r3 = v128.load(col + 3 * colBytes);
      // r_j holds B[k..k+4, j]; the outputs hold B[k + t, 0..4] for t = 0..3.
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const to = panel + <usize>k * PANEL_ROW_BYTES + <usize>(half * 16);
      v128.store(to, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(to + PANEL_ROW_BYTES, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(to + 2 * PANEL_ROW_BYTES, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(to + 3 * PANEL_ROW_BYTES, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
  }
  for (; k < kCount; k++) {
    const to = panel + <usize>k * PANEL_ROW_BYTES;
    for (let j = 0; j < NR; j++) store<f32>(f32At(to, j), load<f32>(f32At(b, j * cs + k)));
  }
}

/**
 * Packs rows [i0, i0 + 4) (those below m; the others are zero) and columns [0, kCount) of A
 * (element (i, k) at a + (i·rs + k·cs)·4) interleaved: row r at dst + (k·4 + r)·4. For A read
 * across its rows (a transposed operand), where pointers along k would stride.
 */
export function packATile(a: usize, rs: i32, cs: i32, i0: i32, m: i32, kCount: i32, dst: usize): void {
  if (rs == 1 && i0 + MR <= m) {
    for (let k = 0; k < kCount; k++) v128.store(dst + (<usize>k << 4), v128.load(f32At(a, i0 + k * cs)));
    return;
  }
  for (let k = 0; k < kCount; k++) {
    for (let r = 0; r < MR; r++) {
      store<f32>(dst + (<usize>k << 4) + (<usize>r << 2), i0 + r < m ? load<f32>(f32At(a, (i0 + r) * rs + k * cs)) : 0);
    }
  }
}

