// 3×3 stride-1 correlations by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2015):
// each 2×2 block of output pixels ("tile") is A'·[(G·g·G') ⊙ (B'·d·B)]·A over its 4×4 input
// window d, 16 products per channel pair where the direct sum takes 36, so 2.25× fewer
// multiply-adds. The 16 element-wise products, summed over input channels, are 16 ordinary
// products [tiles × inC]·[inC × outC] on the 4×8 tile of gemm.as. The input gradient is such a
// correlation too (conv.as rotates it); the filter gradient is at the end of this file.
//   B' = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   A' = [1 1 1 0; 0 1 −1 −1]
// A tile's numbers never depend on which part or block computes it.
import { ConvArgs, partScratch } from './conv-args';
import { MR, NR, PANEL_ROW_BYTES, SEGMENT_BYTES, microTile, setSegment } from './gemm';
import { alignUp, ceilDiv, f32At, shareStart } from './memory';

/** Positions of the transformed 4×4 window. */
const POSITIONS: i32 = 16;
/** Floats of transformed input and products a block may hold (64 KB: 16K, 8K and 4K floats measured alike, 32K 10–25% slower). */
const BLOCK_FLOATS: i32 = 16384;

/** Whether `a` (a correlation, as conv2d or the rotated input gradient describes it) runs here. */
export function winogradApplies(a: ConvArgs): bool {
  return a.kh == 3 && a.kw == 3 && a.strideH == 1 && a.strideW == 1 && a.inC >= 8 && (a.inC & 3) == 0 && (a.outC & 3) == 0;
}

/** Tiles across and down an output image, and in the whole batch. */
@inline function tilesWide(a: ConvArgs): i32 {
  return ceilDiv(a.outW, 2);
}
@inline function tilesHigh(a: ConvArgs): i32 {
  return ceilDiv(a.outH, 2);
}
@inline function tileCount(a: ConvArgs): i32 {
  return a.batch * tilesHigh(a) * tilesWide(a);
}

/** Where tile `tile` lies: its image, and the output row and column of its top-left pixel. */
@inline function tileImage(a: ConvArgs, tile: i32): i32 {
  return tile / (tilesHigh(a) * tilesWide(a));
}
@inline function tileRow(a: ConvArgs, tile: i32): i32 {
  return ((tile / tilesWide(a)) % tilesHigh(a)) * 2;
}
@inline function tileColumn(a: ConvArgs, tile: i32): i32 {
  return (tile % tilesWide(a)) * 2;
}

/** Tiles transformed and multiplied at a time: a multiple of MR. */
function blockTiles(a: ConvArgs): i32 {
  const perTile = POSITIONS * (a.inC + ceilDiv(a.outC, NR) * NR);
  return max(MR, min(64, BLOCK_FLOATS / perTile) & ~(MR - 1));
}

/** Scratch of one part: filter panels, window pointers, a segment entry, zeros, the transformed block, its products. */
export function winogradScratch(a: ConvArgs): usize {
  const panels = ceilDiv(a.outC, NR);
  const t = blockTiles(a);
  return (
    alignUp(<usize>(POSITIONS * panels * a.inC) * PANEL_ROW_BYTES) +
    alignUp(POSITIONS * 4) +
    alignUp(SEGMENT_BYTES) +
    alignUp(<usize>max(a.inC, NR) * 4) +
    alignUp(<usize>(POSITIONS * t * a.inC) * 4) +
    alignUp(<usize>(POSITIONS * t * panels * NR) * 4)
  );
}

/**
 * Part `part` of the correlation `a` reading `input`, writing `out` (+ bias when `bias` ≠ 0).
 * Filter element (tap, kin, kout) of the correlation, tap = 3·row + column, is the float at
 * w + (tapFirst + tap·tapStep + kin·kinStride + kout·koutStride)·4.
 */
export function winogradConv(
  a: ConvArgs, input: usize, out: usize, bias: usize,
  w: usize, tapFirst: i32, tapStep: i32, kinStride: i32, koutStride: i32,
  part: i32, parts: i32,
): void {
  const t0 = shareStart(tileCount(a), part, parts);
  const t1 = shareStart(tileCount(a), part + 1, parts);
  if (t0 >= t1) return;
  const panels = ceilDiv(a.outC, NR);
  const panelBytes = <usize>a.inC * PANEL_ROW_BYTES;
  const block = blockTiles(a);
  const filter = partScratch(a, part);
  const windows = filter + alignUp(<usize>(POSITIONS * panels) * panelBytes);
  const entry = windows + alignUp(POSITIONS * 4);
  const zeros = entry + alignUp(SEGMENT_BYTES);
  const transformed = zeros + alignUp(<usize>max(a.inC, NR) * 4);
  const products = transformed + alignUp(<usize>(POSITIONS * block * a.inC) * 4);
  memory.fill(zeros, 0, <usize>max(a.inC, NR) << 2);
  transformFilter(a, w, tapFirst, tapStep, kinStride, koutStride, filter);
  const rowBytes = <usize>a.inC << 2;
  const productRowBytes = <usize>(panels * NR) << 2;
  for (let tb = t0; tb < t1; tb += block) {
    const count = min(block, t1 - tb);
    for (let t = 0; t < count; t++) transformWindow(a, input, tb + t, windows, zeros, transformed + <usize>t * rowBytes, <usize>block * rowBytes);
    // Rows of the last group past `count` hold stale floats; their products are never read.
    for (let p = 0; p < POSITIONS; p++) {
      const rows = transformed + <usize>(p * block) * rowBytes;
      for (let panel = 0; panel < panels; panel++) {
        const b = filter + <usize>(p * panels + panel) * panelBytes;
        for (let t = 0; t < count; t += MR) {
          const r = rows + <usize>t * rowBytes;
          setSegment(entry, r, r + rowBytes, r + 2 * rowBytes, r + 3 * rowBytes, 0);
          const c = products + (<usize>(p * block + t) * productRowBytes) + (<usize>panel * PANEL_ROW_BYTES);
          microTile(entry, 1, a.inC, 4, b, c, productRowBytes, false, zeros);
        }
      }
    }
    for (let t = 0; t < count; t++) {
      writeTile(a, out, bias, tb + t, products + <usize>t * productRowBytes, <usize>block * productRowBytes);
    }
  }
}

/** A vector of 4 filter floats `stride` apart. */
@inline function load4(at: usize, stride: i32): v128 {
  if (stride == 1) return v128.load(at);
  const step = <usize>stride << 2;
  let v = f32x4.splat(load<f32>(at));
  v = f32x4.replace_lane(v, 1, load<f32>(at + step));
  v = f32x4.replace_lane(v, 2, load<f32>(at + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(at + 3 * step));
}

/** (x0 + x1 + x2)·½ and (x0 − x1 + x2)·½: the middle rows of G. */
@inline function halfSum(x0: v128, x1: v128, x2: v128): v128 {
  return f32x4.mul(f32x4.add(f32x4.add(x0, x1), x2), f32x4.splat(0.5));
}
@inline function halfDifference(x0: v128, x1: v128, x2: v128): v128 {
  return f32x4.mul(f32x4.add(f32x4.sub(x0, x1), x2), f32x4.splat(0.5));
}

/** One row of G·g·G' (from one row q of G·g) into positions 4·row…4·row + 3 of the panels, 4 output channels at `column`. */
@inline function storeFilterRow(q0: v128, q1: v128, q2: v128, row: i32, dst: usize, positionBytes: usize): void {
  const at = dst + <usize>(4 * row) * positionBytes;
  v128.store(at, q0);
  v128.store(at + positionBytes, halfSum(q0, q1, q2));
  v128.store(at + 2 * positionBytes, halfDifference(q0, q1, q2));
  v128.store(at + 3 * positionBytes, q2);
}

/** G·g·G' of every channel pair into the 16 positions' B panels (panel of 8 output channels, row kin). */
function transformFilter(a: ConvArgs, w: usize, tapFirst: i32, tapStep: i32, kinStride: i32, koutStride: i32, dst: usize): void {
  const panels = ceilDiv(a.outC, NR);
  const panelBytes = <usize>a.inC * PANEL_ROW_BYTES;
  const positionBytes = <usize>panels * panelBytes;
  // Columns past outC in the last panel are left as they are: their products are never read.
  const tapBytes = <usize>(tapStep << 2);
  for (let kin = 0; kin < a.inC; kin++) {
    for (let kout = 0; kout < a.outC; kout += 4) {
      const g = w + (<usize>(tapFirst + kin * kinStride + kout * koutStride) << 2);
      const g00 = load4(g, koutStride), g01 = load4(g + tapBytes, koutStride), g02 = load4(g + 2 * tapBytes, koutStride);
      const g10 = load4(g + 3 * tapBytes, koutStride), g11 = load4(g + 4 * tapBytes, koutStride), g12 = load4(g + 5 * tapBytes, koutStride);
      const g20 = load4(g + 6 * tapBytes, koutStride), g21 = load4(g + 7 * tapBytes, koutStride), g22 = load4(g + 8 * tapBytes, koutStride);
      const at = dst + <usize>(kout / NR) * panelBytes + <usize>kin * PANEL_ROW_BYTES + (<usize>(kout % NR) << 2);
      storeFilterRow(g00, g01, g02, 0, at, positionBytes);
      storeFilterRow(halfSum(g00, g10, g20), halfSum(g01, g11, g21), halfSum(g02, g12, g22), 1, at, positionBytes);
      storeFilterRow(halfDifference(g00, g10, g20), halfDifference(g01, g11, g21), halfDifference(g02, g12, g22), 2, at, positionBytes);
      storeFilterRow(g20, g21, g22, 3, at, positionBytes);
    }
  }
}

/** B'·d·B of tile `tile`'s 4×4 input window, every input channel, into row `dst` of the 16 positions' blocks (`positionBytes` apart). */
function transformWindow(a: ConvArgs, input: usize, tile: i32, windows: usize, zeros: usize, dst: usize, positionBytes: usize): void {
  const n = tileImage(a, tile);
  const top = tileRow(a, tile) - a.padTop;
  const left = tileColumn(a, tile) - a.padLeft;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const ih = top + i;
      const iw = left + j;
      const inside = ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW;
      store<u32>(windows + <usize>(4 * i + j) * 4, <u32>(inside ? f32At(input, ((n * a.inH + ih) * a.inW + iw) * a.inC) : zeros));
    }
  }
  const w00 = <usize>load<u32>(windows), w01 = <usize>load<u32>(windows, 4), w02 = <usize>load<u32>(windows, 8), w03 = <usize>load<u32>(windows, 12);
  const w10 = <usize>load<u32>(windows, 16), w11 = <usize>load<u32>(windows, 20), w12 = <usize>load<u32>(windows, 24), w13 = <usize>load<u32>(windows, 28);
  const w20 = <usize>load<u32>(windows, 32), w21 = <usize>load<u32>(windows, 36), w22 = <usize>load<u32>(windows, 40), w23 = <usize>load<u32>(windows, 44);
  const w30 = <usize>load<u32>(windows, 48), w31 = <usize>load<u32>(windows, 52), w32 = <usize>load<u32>(windows, 56), w33 = <usize>load<u32>(windows, 60);
  for (let c = 0; c < a.inC; c += 4) {
    const o = <usize>c << 2;
    const d00 = v128.load(w00 + o), d01 = v128.load(w01 + o), d02 = v128.load(w02 + o), d03 = v128.load(w03 + o);
    const d10 = v128.load(w10 + o), d11 = v128.load(w11 + o), d12 = v128.load(w12 + o), d13 = v128.load(w13 + o);
    const d20 = v128.load(w20 + o), d21 = v128.load(w21 + o), d22 = v128.load(w22 + o), d23 = v128.load(w23 + o);
    const d30 = v128.load(w30 + o), d31 = v128.load(w31 + o), d32 = v128.load(w32 + o), d33 = v128.load(w33 + o);
    const at = dst + o;
    // Rows of B'·d, each then multiplied by B.
    storeWindowRow(f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23), 0, at, positionBytes);
    storeWindowRow(f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23), 1, at, positionBytes);
    storeWindowRow(f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13), 2, at, positionBytes);
    storeWindowRow(f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33), 3, at, positionBytes);
  }
}

/** One row x of B'·d times B into positions 4·row…4·row + 3. */
@inline function storeWindowRow(x0: v128, x1: v128, x2: v128, x3: v128, row: i32, dst: usize, positionBytes: usize): void {
  const at = dst + <usize>(4 * row) * positionBytes;
  v128.store(at, f32x4.sub(x0, x2));
  v128.store(at + positionBytes, f32x4.add(x1, x2));
  v128.store(at + 2 * positionBytes, f32x4.sub(x2, x1));
  v128.store(at + 3 * positionBytes, f32x4.sub(x1, x3));
}

/** m0 + m1 + m2 and m1 − m2 − m3: the rows of A'. */
@inline function outerSum(m0: v128, m1: v128, m2: v128): v128 {
  return f32x4.add(f32x4.add(m0, m1), m2);
}
@inline function innerDifference(m1: v128, m2: v128, m3: v128): v128 {
  return f32x4.sub(f32x4.sub(m1, m2), m3);
}

/**
 * A'·M·A of tile `tile` (its 16 positions' products at `src`, `positionBytes` apart), plus the
 * bias, into the output pixels of the tile that lie inside the output.
 */
function writeTile(a: ConvArgs, out: usize, bias: usize, tile: i32, src: usize, positionBytes: usize): void {
  const n = tileImage(a, tile);
  const oy = tileRow(a, tile);
  const ox = tileColumn(a, tile);
  const bottom = oy + 1 < a.outH;
  const right = ox + 1 < a.outW;
  const rowBytes = <usize>(a.outW * a.outC) << 2;
  const pixelBytes = <usize>a.outC << 2;
  const y = f32At(out, ((n * a.outH + oy) * a.outW + ox) * a.outC);
  const p = positionBytes;
  for (let c = 0; c < a.outC; c += 4) {
    const o = <usize>c << 2;
    const m = src + o;
    const m00 = v128.load(m), m01 = v128.load(m + p), m02 = v128.load(m + 2 * p), m03 = v128.load(m + 3 * p);
    const m10 = v128.load(m + 4 * p), m11 = v128.load(m + 5 * p), m12 = v128.load(m + 6 * p), m13 = v128.load(m + 7 * p);
    const m20 = v128.load(m + 8 * p), m21 = v128.load(m + 9 * p), m22 = v128.load(m + 10 * p), m23 = v128.load(m + 11 * p);
    const m30 = v128.load(m + 12 * p), m31 = v128.load(m + 13 * p), m32 = v128.load(m + 14 * p), m33 = v128.load(m + 15 * p);
    // M·A, row by row, then A' over the rows.
    const r00 = outerSum(m00, m01, m02), r01 = innerDifference(m01, m02, m03);
    const r10 = outerSum(m10, m11, m12), r11 = innerDifference(m11, m12, m13);
    const r20 = outerSum(m20, m21, m22), r21 = innerDifference(m21, m22, m23);
    const r30 = outerSum(m30, m31, m32), r31 = innerDifference(m31, m32, m33);
    const b = bias != 0 ? v128.load(bias + o) : f32x4.splat(0);
    v128.store(y + o, f32x4.add(outerSum(r00, r10, r20), b));
    if (right) v128.store(y + pixelBytes + o, f32x4.add(outerSum(r01, r11, r21), b));
    if (bottom) {
      v128.store(y + rowBytes + o, f32x4.add(innerDifference(r10, r20, r30), b));
      if (right) v128.store(y + rowBytes + pixelBytes + o, f32x4.add(innerDifference(r11, r21, r31), b));
    }
  }
}

// ---------------------------------------------------------------- filter gradient
// Since the output is linear in U = G·g·G', dL/dU = Σ_tiles (B'·d·B) ⊙ (A·dY·A') for each
// channel pair, and dL/dg = G'·(dL/dU)·G: 16 products [inC × tiles]·[tiles × outC], summed over
// tiles, then one small transform per channel pair. Each part sums its share of the tiles into
// its own dL/dU (16 × inC × outC, rows of B panels' width) at the start of its scratch;
// winogradFilterGradSum adds the parts and transforms.

/**
 * Tiles transformed and summed at a time (the depth of each product): 16, or 32 from 64×64
 * channel pairs on, where writing dL/dU back after each block costs more than a larger block.
 * Measured best of 16, 32, 64, 128 and 256 at WRN's shapes (64 took 1.1–1.7× as long).
 */
@inline function reduceTiles(a: ConvArgs): i32 {
  return a.inC * a.outC >= 4096 ? 32 : 16;
}

@inline function gradientPanels(a: ConvArgs): i32 {
  return ceilDiv(a.outC, NR);
}

/** Bytes of one part's dL/dU: 16 positions of [inC, panels·NR]. */
function partialBytes(a: ConvArgs): usize {
  return <usize>(POSITIONS * a.inC * gradientPanels(a) * NR) << 2;
}

export function winogradFilterGradScratch(a: ConvArgs): usize {
  const panels = gradientPanels(a);
  return (
    alignUp(partialBytes(a)) +
    alignUp(POSITIONS * 4) +
    alignUp(SEGMENT_BYTES) +
    alignUp(<usize>max(max(a.inC, a.outC), NR) * 4) +
    alignUp(<usize>(POSITIONS * reduceTiles(a) * a.inC) * 4) +
    alignUp(<usize>(POSITIONS * panels * reduceTiles(a)) * PANEL_ROW_BYTES)
  );
}

/** Part `part` of dL/dU of the correlation `a` (x = its input, y = dy), into the start of the part's scratch. */
export function winogradFilterGrad(a: ConvArgs, part: i32, parts: i32): void {
  const t0 = shareStart(tileCount(a), part, parts);
  const t1 = shareStart(tileCount(a), part + 1, parts);
  const partial = partScratch(a, part);
  if (t0 >= t1) {
    memory.fill(partial, 0, partialBytes(a));
    return;
  }
  const panels = gradientPanels(a);
  const block = reduceTiles(a);
  const windows = partial + alignUp(partialBytes(a));
  const entry = windows + alignUp(POSITIONS * 4);
  const zeros = entry + alignUp(SEGMENT_BYTES);
  const transformed = zeros + alignUp(<usize>max(max(a.inC, a.outC), NR) * 4);
  const gradients = transformed + alignUp(<usize>(POSITIONS * block * a.inC) * 4);
  memory.fill(zeros, 0, <usize>max(max(a.inC, a.outC), NR) << 2);
  const rowBytes = <usize>a.inC << 2;
  const ldc = <usize>(panels * NR) << 2;
  const positionBytes = <usize>a.inC * ldc;
  const gradientPanelBytes = <usize>block * PANEL_ROW_BYTES;
  for (let tb = t0; tb < t1; tb += block) {
    const count = min(block, t1 - tb);
    for (let t = 0; t < count; t++) {
      transformWindow(a, a.x, tb + t, windows, zeros, transformed + <usize>t * rowBytes, <usize>block * rowBytes);
      transformGradient(a, a.y, tb + t, zeros, gradients + <usize>t * PANEL_ROW_BYTES, gradientPanelBytes);
    }
    for (let p = 0; p < POSITIONS; p++) {
      const rows = transformed + <usize>(p * block) * rowBytes;
      for (let ci = 0; ci < a.inC; ci += MR) {
        const r = rows + (<usize>ci << 2);
        // Row ci + r of A is channel ci + r of every tile: `rowBytes` apart along the sum.
        setSegment(entry, r, r + 4, r + 8, r + 12, 0);
        for (let panel = 0; panel < panels; panel++) {
          const b = gradients + <usize>(p * panels + panel) * gradientPanelBytes;
          microTile(entry, 1, count, rowBytes, b, partial + <usize>p * positionBytes + <usize>ci * ldc + (<usize>panel * PANEL_ROW_BYTES), ldc, tb > t0, zeros);
        }
      }
    }
  }
}

/** A·dY·A' of tile `tile`'s 2×2 output gradient (outside the output: 0), every output channel, into row `dst` of the 16 positions' B panels (`panelBytes` apart). */
function transformGradient(a: ConvArgs, dy: usize, tile: i32, zeros: usize, dst: usize, panelBytes: usize): void {
  const n = tileImage(a, tile);
  const oy = tileRow(a, tile);
  const ox = tileColumn(a, tile);
  const right = ox + 1 < a.outW;
  const bottom = oy + 1 < a.outH;
  const pixel = f32At(dy, ((n * a.outH + oy) * a.outW + ox) * a.outC);
  const pixelBytes = <usize>a.outC << 2;
  const rowBytes = <usize>a.outW * pixelBytes;
  const p00 = pixel;
  const p01 = right ? pixel + pixelBytes : zeros;
  const p10 = bottom ? pixel + rowBytes : zeros;
  const p11 = right && bottom ? pixel + rowBytes + pixelBytes : zeros;
  const positionBytes = <usize>gradientPanels(a) * panelBytes;
  for (let c = 0; c < a.outC; c += 4) {
    const o = <usize>c << 2;
    const y00 = v128.load(p00 + o), y01 = v128.load(p01 + o), y10 = v128.load(p10 + o), y11 = v128.load(p11 + o);
    const at = dst + <usize>(c / NR) * panelBytes + (<usize>(c % NR) << 2);
    // Rows of A·dY (A = [1 0; 1 1; 1 −1; 0 −1]), each then multiplied by A'.
    storeGradientRow(y00, y01, 0, at, positionBytes);
    storeGradientRow(f32x4.add(y00, y10), f32x4.add(y01, y11), 1, at, positionBytes);
    storeGradientRow(f32x4.sub(y00, y10), f32x4.sub(y01, y11), 2, at, positionBytes);
    storeGradientRow(f32x4.neg(y10), f32x4.neg(y11), 3, at, positionBytes);
  }
}

/** One row (u0, u1) of A·dY times A' into positions 4·row…4·row + 3. */
@inline function storeGradientRow(u0: v128, u1: v128, row: i32, dst: usize, positionBytes: usize): void {
  const at = dst + <usize>(4 * row) * positionBytes;
  v128.store(at, u0);
  v128.store(at + positionBytes, f32x4.add(u0, u1));
  v128.store(at + 2 * positionBytes, f32x4.sub(u0, u1));
  v128.store(at + 3 * positionBytes, f32x4.neg(u1));
}

/** Σ over the `partials` parts of the vector `offset` bytes into each part's dL/dU. */
@inline function summed(a: ConvArgs, partials: i32, offset: usize): v128 {
  let sum = v128.load(partScratch(a, 0) + offset);
  for (let q = 1; q < partials; q++) sum = f32x4.add(sum, v128.load(partScratch(a, q) + offset));
  return sum;
}

/** G'·s for one row or column s of dL/dU: (s0 + ½(s1 + s2), ½(s1 − s2), ½(s1 + s2) + s3). */
@inline function filterRow0(s0: v128, s1: v128, s2: v128): v128 {
  return f32x4.add(s0, f32x4.mul(f32x4.add(s1, s2), f32x4.splat(0.5)));
}
@inline function filterRow1(s1: v128, s2: v128): v128 {
  return f32x4.mul(f32x4.sub(s1, s2), f32x4.splat(0.5));
}
@inline function filterRow2(s1: v128, s2: v128, s3: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.add(s1, s2), f32x4.splat(0.5)), s3);
}

/** w = dW = G'·(Σ over `partials` parts' dL/dU)·G; parts split the input channels. */
export function winogradFilterGradSum(a: ConvArgs, partials: i32, part: i32, parts: i32): void {
  const c0 = shareStart(a.inC, part, parts);
  const c1 = shareStart(a.inC, part + 1, parts);
  const ldc = <usize>(gradientPanels(a) * NR) << 2;
  const p = <usize>a.inC * ldc;
  const tapBytes = <usize>(a.inC * a.outC) << 2;
  for (let ci = c0; ci < c1; ci++) {
    for (let c = 0; c < a.outC; c += 4) {
      const o = <usize>ci * ldc + (<usize>c << 2);
      const s00 = summed(a, partials, o), s01 = summed(a, partials, o + p), s02 = summed(a, partials, o + 2 * p), s03 = summed(a, partials, o + 3 * p);
      const s10 = summed(a, partials, o + 4 * p), s11 = summed(a, partials, o + 5 * p), s12 = summed(a, partials, o + 6 * p), s13 = summed(a, partials, o + 7 * p);
      const s20 = summed(a, partials, o + 8 * p), s21 = summed(a, partials, o + 9 * p), s22 = summed(a, partials, o + 10 * p), s23 = summed(a, partials, o + 11 * p);
      const s30 = summed(a, partials, o + 12 * p), s31 = summed(a, partials, o + 13 * p), s32 = summed(a, partials, o + 14 * p), s33 = summed(a, partials, o + 15 * p);
      // G' over the rows (h_r,j), then over the columns into the 3×3 taps.
      const h00 = filterRow0(s00, s10, s20), h01 = filterRow0(s01, s11, s21), h02 = filterRow0(s02, s12, s22), h03 = filterRow0(s03, s13, s23);
      const h10 = filterRow1(s10, s20), h11 = filterRow1(s11, s21), h12 = filterRow1(s12, s22), h13 = filterRow1(s13, s23);
      const h20 = filterRow2(s10, s20, s30), h21 = filterRow2(s11, s21, s31), h22 = filterRow2(s12, s22, s32), h23 = filterRow2(s13, s23, s33);
      const w = f32At(a.w, ci * a.outC + c);
      storeTapRow(h00, h01, h02, h03, w, tapBytes);
      storeTapRow(h10, h11, h12, h13, w + 3 * tapBytes, tapBytes);
      storeTapRow(h20, h21, h22, h23, w + 6 * tapBytes, tapBytes);
    }
  }
}

/** Taps (row, 0…2) of one filter row from its 4 positions h0…h3: G'·h. */
@inline function storeTapRow(h0: v128, h1: v128, h2: v128, h3: v128, w: usize, tapBytes: usize): void {
  v128.store(w, filterRow0(h0, h1, h2));
  v128.store(w + tapBytes, filterRow1(h1, h2));
  v128.store(w + 2 * tapBytes, filterRow2(h1, h2, h3));
}
