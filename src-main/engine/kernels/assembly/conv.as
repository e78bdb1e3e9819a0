// 2-D convolution, NHWC, filter [kh, kw, cIn, cOut], and its two gradients, as products on the
// 4×8 tile of gemm.as. The forward pass and the stride-1 input gradient read their input in
// place (an "indirect" GEMM: each output pixel's row of A is one segment per kernel tap, a
// pointer to a run of cIn channels; taps that fall in the padding for all four pixels of a tile
// are left out, the others point at zeros), so no im2col buffer is ever built. With few input
// channels the runs are too short for that, and each tile's patches are packed instead.
// 3×3 stride-1 convolutions with enough channels run all three passes in winograd.as instead.
import { edgeTile, interleavedRows, MR, NR, PANEL_ROW_BYTES, microTile, packB, SEGMENT_BYTES, setSegment } from './gemm';
import { ConvArgs, partScratch } from './conv-args';
import { addTo, alignUp, ceilDiv, f32At, shareStart, zero } from './memory';
import { winogradApplies, winogradConv, winogradFilterGrad, winogradFilterGradScratch, winogradFilterGradSum, winogradScratch } from './winograd';

/** Output pixels prepared at a time (their segment entries are reused across every filter panel). */
const PIXEL_BLOCK: i32 = 64;
/** Pixels summed per pass of the filter gradient. */
const REDUCE_BLOCK: i32 = 256;
/** Below this many input channels a tile's patches are packed rather than pointed at. */
const PACK_BELOW_CHANNELS: i32 = 8;
/** Bytes of ConvArgs (19 fields). */
const ARGS_BYTES: usize = 80;

/** Position of one output pixel's window: its image and the input row and column of its top-left tap. */
@inline function windowImage(a: ConvArgs, pixel: i32): i32 {
  return pixel / (a.outH * a.outW);
}
@inline function windowTop(a: ConvArgs, pixel: i32): i32 {
  return ((pixel % (a.outH * a.outW)) / a.outW) * a.strideH - a.padTop;
}
@inline function windowLeft(a: ConvArgs, pixel: i32): i32 {
  return (pixel % a.outW) * a.strideW - a.padLeft;
}

/** x[n, ih, iw, ci], or 0 in the padding. */
@inline function inputAt(a: ConvArgs, input: usize, n: i32, ih: i32, iw: i32, ci: i32): f32 {
  return ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW ? load<f32>(f32At(input, ((n * a.inH + ih) * a.inW + iw) * a.inC + ci)) : 0;
}

// ---------------------------------------------------------------- indirect GEMM

/** Scratch of one part of indirectConv: packed filter, bias panel, zeros, entries, segment counts, packed tiles, an edge tile. */
function indirectScratch(a: ConvArgs): usize {
  const taps = a.kh * a.kw;
  const k = taps * a.inC;
  const tiles = PIXEL_BLOCK / MR;
  return (
    alignUp(<usize>ceilDiv(a.outC, NR) * <usize>k * PANEL_ROW_BYTES) +
    alignUp(<usize>(ceilDiv(a.outC, NR) * NR) * 4) +
    alignUp(<usize>max(a.inC, NR) * 4) +
    alignUp(<usize>tiles * <usize>taps * SEGMENT_BYTES) +
    alignUp(<usize>tiles * 4) +
    alignUp(a.inC < PACK_BELOW_CHANNELS ? <usize>tiles * <usize>k * 16 : 0) +
    128
  );
}

/**
 * Output pixels [p0, p1) of the correlation `a` describes, reading `input` and writing `out`,
 * with the filter already packed (all output-channel panels) at the start of `scratch` and the
 * bias panel after it.
 */
function indirectConv(a: ConvArgs, input: usize, out: usize, scratch: usize, p0: i32, p1: i32): void {
  const taps = a.kh * a.kw;
  const k = taps * a.inC;
  const tiles = PIXEL_BLOCK / MR;
  const panels = ceilDiv(a.outC, NR);
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const packed = scratch;
  const init = packed + alignUp(<usize>panels * panelBytes);
  const zeros = init + alignUp(<usize>(panels * NR) * 4);
  const entries = zeros + alignUp(<usize>max(a.inC, NR) * 4);
  const counts = entries + alignUp(<usize>tiles * <usize>taps * SEGMENT_BYTES);
  const patches = counts + alignUp(<usize>tiles * 4);
  const packs = a.inC < PACK_BELOW_CHANNELS;
  const tmp = patches + alignUp(packs ? <usize>tiles * <usize>k * 16 : 0);
  zero(zeros, max(a.inC, NR));
  const tileBytes = <usize>taps * SEGMENT_BYTES;
  const ldc = <usize>a.outC << 2;
  for (let pb = p0; pb < p1; pb += PIXEL_BLOCK) {
    const blockEnd = min(p1, pb + PIXEL_BLOCK);
    const blockTiles = ceilDiv(blockEnd - pb, MR);
    for (let t = 0; t < blockTiles; t++) {
      const first = pb + t * MR;
      const entry = entries + <usize>t * tileBytes;
      if (packs) {
        const tile = patches + <usize>t * <usize>k * 16;
        packPatchRows(a, input, first, blockEnd, tile);
        interleavedRows(entry, tile);
        store<i32>(counts + <usize>t * 4, 1);
      } else {
        store<i32>(counts + <usize>t * 4, tapSegments(a, input, first, blockEnd, zeros, entry));
      }
    }
    const segLen = packs ? k : a.inC;
    const aStride: usize = packs ? 16 : 4;
    for (let jp = 0; jp < a.outC; jp += NR) {
      const panel = packed + <usize>(jp / NR) * panelBytes;
      const cols = min(NR, a.outC - jp);
      for (let t = 0; t < blockTiles; t++) {
        const first = pb + t * MR;
        edgeTile(
          entries + <usize>t * tileBytes, load<i32>(counts + <usize>t * 4), segLen, aStride, panel,
          f32At(out, first * a.outC + jp), ldc, min(MR, blockEnd - first), cols, false, f32At(init, jp), tmp,
        );
      }
    }
  }
}

/**
 * Segment entries of the tile whose first pixel is `first`: one per tap that reaches inside the
 * input for at least one of its pixels (the others point at zeros there); returns how many.
 */
function tapSegments(a: ConvArgs, input: usize, first: i32, end: i32, zeros: usize, entry: usize): i32 {
  let count = 0;
  const tapBytes = <usize>a.inC * PANEL_ROW_BYTES;
  for (let i = 0; i < a.kh; i++) {
    for (let j = 0; j < a.kw; j++) {
      let inside = 0;
      for (let r = 0; r < MR; r++) {
        const pixel = first + r;
        let ptr = zeros;
        if (pixel < end) {
          const ih = windowTop(a, pixel) + i;
          const iw = windowLeft(a, pixel) + j;
          if (ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW) {
            ptr = f32At(input, ((windowImage(a, pixel) * a.inH + ih) * a.inW + iw) * a.inC);
            inside++;
          }
        }
        store<u32>(entry + <usize>count * SEGMENT_BYTES + <usize>r * 4, <u32>ptr);
      }
      if (inside > 0) {
        store<u32>(entry + <usize>count * SEGMENT_BYTES, <u32>(<usize>(i * a.kw + j) * tapBytes), 16);
        count++;
      }
    }
  }
  return count;
}

/** An interleaved tile of the patches of pixels first…first+3 (row r at + 4r, 16 bytes per k; past `end`, zeros). */
function packPatchRows(a: ConvArgs, input: usize, first: i32, end: i32, tile: usize): void {
  for (let r = 0; r < MR; r++) {
    const pixel = first + r;
    let slot = tile + <usize>r * 4;
    if (pixel >= end) {
      for (let k = 0, kEnd = a.kh * a.kw * a.inC; k < kEnd; k++) {
        store<f32>(slot, 0);
        slot += 16;
      }
      continue;
    }
    const n = windowImage(a, pixel);
    const top = windowTop(a, pixel);
    const left = windowLeft(a, pixel);
    const interior = top >= 0 && top + a.kh <= a.inH && left >= 0 && left + a.kw <= a.inW;
    const base = ((n * a.inH + top) * a.inW + left) * a.inC;
    for (let i = 0; i < a.kh; i++) {
      for (let j = 0; j < a.kw; j++) {
        if (interior) {
          const src = f32At(input, base + (i * a.inW + j) * a.inC);
          for (let c = 0; c < a.inC; c++) {
            store<f32>(slot, load<f32>(f32At(src, c)));
            slot += 16;
          }
        } else {
          for (let c = 0; c < a.inC; c++) {
            store<f32>(slot, inputAt(a, input, n, top + i, left + j, c));
            slot += 16;
          }
        }
      }
    }
  }
}

/** Filter panels (B = w as [k, outC]) and the bias panel at the start of a part's scratch. */
function packForward(a: ConvArgs, scratch: usize): void {
  const k = a.kh * a.kw * a.inC;
  const panels = ceilDiv(a.outC, NR);
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  packB(a.w, a.outC, 1, k, 0, a.outC, scratch, panelBytes);
  const init = scratch + alignUp(<usize>panels * panelBytes);
  memory.fill(init, 0, <usize>(panels * NR) << 2);
  if (a.bias != 0) memory.copy(init, a.bias, <usize>a.outC << 2);
}

/** y = conv(x, w) + bias. Parts split the output pixels. */
export function conv2d(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  if (winogradApplies(a)) {
    winogradConv(a, a.x, a.y, a.bias, a.w, 0, a.inC * a.outC, a.outC, 1, part, parts);
    return;
  }
  const pixels = a.batch * a.outH * a.outW;
  const tiles = ceilDiv(pixels, MR);
  const p0 = shareStart(tiles, part, parts) * MR;
  const p1 = min(pixels, shareStart(tiles, part + 1, parts) * MR);
  if (p0 >= p1) return;
  const scratch = partScratch(a, part);
  packForward(a, scratch);
  indirectConv(a, a.x, a.y, scratch, p0, p1);
}

export function conv2dScratchBytes(argsPtr: usize): usize {
  const a = changetype<ConvArgs>(argsPtr);
  return winogradApplies(a) ? winogradScratch(a) : indirectScratch(a);
}

// ---------------------------------------------------------------- input gradient

/**
 * x = dx from y = dy and w = the filter. Stride 1 (both axes): dx is the correlation of dy,
 * padded by k − 1 − pad in front, with the filter rotated by 180° and its channel axes swapped,
 * read in place like the forward pass. Larger strides: dcol = dy·Wᵀ a block of pixels at a time,
 * scattered into dx (col2im); parts then take whole images so that no two write the same pixel.
 */
export function conv2dInputGrad(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  if (a.strideH == 1 && a.strideW == 1) inputGradStride1(a, part, parts);
  else inputGradScatter(a, part, parts);
}

/** The stride-1 input gradient as a forward correlation, written into `to` (ARGS_BYTES). */
function rotatedGeometry(a: ConvArgs, to: usize): ConvArgs {
  const g = changetype<ConvArgs>(to);
  g.batch = a.batch;
  g.inH = a.outH;
  g.inW = a.outW;
  g.inC = a.outC;
  g.outH = a.inH;
  g.outW = a.inW;
  g.outC = a.inC;
  g.kh = a.kh;
  g.kw = a.kw;
  g.strideH = 1;
  g.strideW = 1;
  g.padTop = a.kh - 1 - a.padTop;
  g.padLeft = a.kw - 1 - a.padLeft;
  g.x = a.y;
  g.w = 0;
  g.y = a.x;
  g.bias = 0;
  g.scratch = a.scratch;
  g.scratchPerPart = a.scratchPerPart;
  return g;
}

export function conv2dInputGradScratchBytes(argsPtr: usize): usize {
  const a = changetype<ConvArgs>(argsPtr);
  const taps = a.kh * a.kw;
  if (a.strideH == 1 && a.strideW == 1) {
    // The rotated geometry's needs, measured on a copy of it written after this struct in the
    // argument block; the kernel keeps its own copy at the end of each part's scratch.
    const g = rotatedGeometry(a, argsPtr + ARGS_BYTES);
    return (winogradApplies(g) ? winogradScratch(g) : indirectScratch(g)) + ARGS_BYTES;
  }
  const k = taps * a.inC;
  const kPadded = ceilDiv(k, NR) * NR;
  return alignUp(<usize>ceilDiv(k, NR) * <usize>a.outC * PANEL_ROW_BYTES) + alignUp(NR * 4) + alignUp(<usize>(PIXEL_BLOCK / MR) * SEGMENT_BYTES) + alignUp(<usize>PIXEL_BLOCK * <usize>kPadded * 4);
}

function inputGradStride1(a: ConvArgs, part: i32, parts: i32): void {
  const scratch = partScratch(a, part);
  const g = rotatedGeometry(a, scratch + <usize>a.scratchPerPart - ARGS_BYTES);
  if (winogradApplies(g)) {
    // Element (tap, co, ci) of the rotated filter is w[8 − tap][ci][co].
    const tapFloats = a.inC * a.outC;
    winogradConv(g, a.y, a.x, 0, a.w, 8 * tapFloats, -tapFloats, 1, a.outC, part, parts);
    return;
  }
  const pixels = a.batch * a.inH * a.inW;
  const tiles = ceilDiv(pixels, MR);
  const p0 = shareStart(tiles, part, parts) * MR;
  const p1 = min(pixels, shareStart(tiles, part + 1, parts) * MR);
  if (p0 >= p1) return;
  const taps = a.kh * a.kw;
  const k = taps * a.outC;
  const panels = ceilDiv(a.inC, NR);
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  // Row (tap, co) of the rotated filter, column ci, is w[taps − 1 − tap][ci][co]: for one tap a
  // [co, ci] block with co contiguous.
  const tapBytes = <usize>a.inC * <usize>a.outC * 4;
  for (let tap = 0; tap < taps; tap++) {
    packB(<usize>a.w + <usize>(taps - 1 - tap) * tapBytes, 1, a.outC, a.outC, 0, a.inC, scratch + <usize>(tap * a.outC) * PANEL_ROW_BYTES, panelBytes);
  }
  memory.fill(scratch + alignUp(<usize>panels * panelBytes), 0, <usize>(panels * NR) << 2);
  indirectConv(g, a.y, a.x, scratch, p0, p1);
}

function inputGradScatter(a: ConvArgs, part: i32, parts: i32): void {
  const n0 = shareStart(a.batch, part, parts);
  const n1 = shareStart(a.batch, part + 1, parts);
  if (n0 >= n1) return;
  const imageSize = a.inH * a.inW * a.inC;
  zero(f32At(a.x, n0 * imageSize), (n1 - n0) * imageSize);
  const taps = a.kh * a.kw;
  const k = taps * a.inC;
  const kPadded = ceilDiv(k, NR) * NR;
  const scratch = partScratch(a, part);
  const panelBytes = <usize>a.outC * PANEL_ROW_BYTES;
  const packed = scratch;
  const init = packed + alignUp(<usize>ceilDiv(k, NR) * panelBytes);
  const entries = init + alignUp(NR * 4);
  const dcol = entries + alignUp(<usize>(PIXEL_BLOCK / MR) * SEGMENT_BYTES);
  const ldd = <usize>kPadded << 2;
  zero(init, NR);
  // B = Wᵀ: row co, column (tap, ci) is w[(tap, ci), co].
  packB(a.w, 1, a.outC, a.outC, 0, k, packed, panelBytes);
  const pixelsPerImage = a.outH * a.outW;
  const p1 = n1 * pixelsPerImage;
  for (let pb = n0 * pixelsPerImage; pb < p1; pb += PIXEL_BLOCK) {
    const blockEnd = min(p1, pb + PIXEL_BLOCK);
    const tiles = ceilDiv(blockEnd - pb, MR);
    for (let t = 0; t < tiles; t++) {
      // Rows past the block repeat its last pixel; their results are never scattered.
      const first = pb + t * MR;
      const last = blockEnd - 1;
      setSegment(
        entries + <usize>t * SEGMENT_BYTES,
        f32At(a.y, first * a.outC), f32At(a.y, min(first + 1, last) * a.outC), f32At(a.y, min(first + 2, last) * a.outC), f32At(a.y, min(first + 3, last) * a.outC), 0,
      );
    }
    for (let jp = 0; jp < k; jp += NR) {
      const panel = packed + <usize>(jp / NR) * panelBytes;
      for (let t = 0; t < tiles; t++) microTile(entries + <usize>t * SEGMENT_BYTES, 1, a.outC, 4, panel, dcol + <usize>(t * MR) * ldd + (<usize>jp << 2), ldd, false, init);
    }
    for (let pixel = pb; pixel < blockEnd; pixel++) {
      const n = windowImage(a, pixel);
      const top = windowTop(a, pixel);
      const left = windowLeft(a, pixel);
      const row = dcol + <usize>(pixel - pb) * ldd;
      for (let i = 0; i < a.kh; i++) {
        const ih = top + i;
        if (ih < 0 || ih >= a.inH) continue;
        for (let j = 0; j < a.kw; j++) {
          const iw = left + j;
          if (iw < 0 || iw >= a.inW) continue;
          addTo(f32At(a.x, ((n * a.inH + ih) * a.inW + iw) * a.inC), f32At(row, (i * a.kw + j) * a.inC), a.inC);
        }
      }
    }
  }
}

// ---------------------------------------------------------------- filter gradient

/**
 * Each part sums over its share of the output pixels: dW_part[(tap, ci), co] = Σ_pixels
 * patch[pixel, (tap, ci)]·dy[pixel, co] with x = the input and y = dy, into its own padded
 * buffer (rows rounded up to 4, columns to 8) at the start of its scratch. conv2dFilterGradSum
 * then adds the parts into w = dW.
 */
export function conv2dFilterGrad(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  if (winogradApplies(a)) {
    winogradFilterGrad(a, part, parts);
    return;
  }
  const taps = a.kh * a.kw;
  const k = taps * a.inC;
  const kTiles = ceilDiv(k, MR);
  const panels = ceilDiv(a.outC, NR);
  const ldc = <usize>(panels * NR) << 2;
  const scratch = partScratch(a, part);
  const partial = scratch;
  const bBlock = partial + alignUp(<usize>(kTiles * MR) * ldc);
  const aTile = bBlock + alignUp(<usize>panels * <usize>REDUCE_BLOCK * PANEL_ROW_BYTES);
  const windows = aTile + alignUp(<usize>REDUCE_BLOCK * 16);
  const entry = windows + alignUp(<usize>REDUCE_BLOCK * 16);
  const zeros = entry + alignUp(SEGMENT_BYTES);
  const pixels = a.batch * a.outH * a.outW;
  const p0 = shareStart(pixels, part, parts);
  const p1 = shareStart(pixels, part + 1, parts);
  if (p0 >= p1) {
    memory.fill(partial, 0, <usize>(kTiles * MR) * ldc);
    return;
  }
  zero(zeros, NR);
  const panelBytes = <usize>REDUCE_BLOCK * PANEL_ROW_BYTES;
  interleavedRows(entry, aTile);
  for (let pb = p0; pb < p1; pb += REDUCE_BLOCK) {
    const count = min(REDUCE_BLOCK, p1 - pb);
    packB(f32At(a.y, pb * a.outC), a.outC, 1, count, 0, a.outC, bBlock, panelBytes);
    // Per pixel: the offset of its window's top-left tap in x, its top row and left column, and
    // whether the whole window lies inside the input.
    for (let q = 0; q < count; q++) {
      const pixel = pb + q;
      const top = windowTop(a, pixel);
      const left = windowLeft(a, pixel);
      const info = windows + <usize>q * 16;
      store<i32>(info, ((windowImage(a, pixel) * a.inH + top) * a.inW + left) * a.inC);
      store<i32>(info, top, 4);
      store<i32>(info, left, 8);
      store<i32>(info, top >= 0 && top + a.kh <= a.inH && left >= 0 && left + a.kw <= a.inW ? 1 : 0, 12);
    }
    for (let kt = 0; kt < kTiles; kt++) {
      packPatchTile(a, kt * MR, k, count, windows, aTile);
      for (let jp = 0; jp < panels; jp++) {
        microTile(entry, 1, count, 16, bBlock + <usize>jp * panelBytes, partial + <usize>(kt * MR) * ldc + (<usize>(jp * NR) << 2), ldc, pb > p0, zeros);
      }
    }
  }
}

/**
 * Interleaved tile of patchᵀ: rows k0..k0+3 ((tap, ci) pairs; past k they are zero), one column
 * per pixel of the block: dst[q·4 + r] = x[pixel q's window at tap, ci].
 */
function packPatchTile(a: ConvArgs, k0: i32, k: i32, count: i32, windows: usize, dst: usize): void {
  const tap = k0 / a.inC;
  const ci = k0 - tap * a.inC;
  const i = tap / a.kw;
  const j = tap - i * a.kw;
  if (ci + MR <= a.inC) {
    // One tap, four neighbouring channels: a single vector per pixel.
    const offset = (i * a.inW + j) * a.inC + ci;
    for (let q = 0; q < count; q++) {
      const info = windows + <usize>q * 16;
      let value = f32x4.splat(0);
      if (load<i32>(info, 12)) {
        value = v128.load(f32At(a.x, load<i32>(info) + offset));
      } else {
        const ih = load<i32>(info, 4) + i;
        const iw = load<i32>(info, 8) + j;
        if (ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW) value = v128.load(f32At(a.x, load<i32>(info) + offset));
      }
      v128.store(dst + (<usize>q << 4), value);
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    const kk = k0 + r;
    const slot = dst + (<usize>r << 2);
    if (kk >= k) {
      for (let q = 0; q < count; q++) store<f32>(slot + (<usize>q << 4), 0);
      continue;
    }
    const rowTap = kk / a.inC;
    const ri = rowTap / a.kw;
    const rj = rowTap - ri * a.kw;
    const offset = (ri * a.inW + rj) * a.inC + (kk - rowTap * a.inC);
    for (let q = 0; q < count; q++) {
      const info = windows + <usize>q * 16;
      let value: f32 = 0;
      if (load<i32>(info, 12)) {
        value = load<f32>(f32At(a.x, load<i32>(info) + offset));
      } else {
        const ih = load<i32>(info, 4) + ri;
        const iw = load<i32>(info, 8) + rj;
        if (ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW) value = load<f32>(f32At(a.x, load<i32>(info) + offset));
      }
      store<f32>(slot + (<usize>q << 4), value);
    }
  }
}

export function conv2dFilterGradScratchBytes(argsPtr: usize): usize {
  const a = changetype<ConvArgs>(argsPtr);
  if (winogradApplies(a)) return winogradFilterGradScratch(a);
  const k = a.kh * a.kw * a.inC;
  const panels = ceilDiv(a.outC, NR);
  return (
    alignUp(<usize>(ceilDiv(k, MR) * MR) * <usize>(panels * NR) * 4) +
    alignUp(<usize>panels * <usize>REDUCE_BLOCK * PANEL_ROW_BYTES) +
    alignUp(<usize>REDUCE_BLOCK * 16) +
    alignUp(<usize>REDUCE_BLOCK * 16) +
    alignUp(SEGMENT_BYTES) +
    alignUp(NR * 4)
  );
}

/** w = dW = Σ over `partials` parts' buffers; parts split the rows of dW. */
export function conv2dFilterGradSum(argsPtr: usize, partials: i32, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  if (winogradApplies(a)) {
    winogradFilterGradSum(a, partials, part, parts);
    return;
  }
  const k = a.kh * a.kw * a.inC;
  const ldc = ceilDiv(a.outC, NR) * NR;
  const r0 = shareStart(k, part, parts);
  const r1 = shareStart(k, part + 1, parts);
  for (let r = r0; r < r1; r++) {
    const out = f32At(a.w, r * a.outC);
    memory.copy(out, f32At(a.scratch, r * ldc), <usize>a.outC << 2);
    for (let q = 1; q < partials; q++) addTo(out, f32At(partScratch(a, q), r * ldc), a.outC);
  }
}
