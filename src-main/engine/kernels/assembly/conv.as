// 2-D convolution, NHWC, filter [kh, kw, cIn, cOut], and its two gradients, as products on the
// 4×8 tile of gemm.as. The forward pass and the stride-1 input gradient read their input in
// place (an "indirect" GEMM: each output pixel's row of A is kh·kw pointers to runs of cIn
// channels, or to zeros in the padding), so no im2col buffer is ever built.
import { edgeTile, interleavedRows, MR, NR, PANEL_ROW_BYTES, microTile, packB } from './gemm';
import { addTo, alignUp, ceilDiv, f32At, shareStart, zero } from './memory';

/** Output pixels prepared at a time (their row pointers are reused across every filter panel). */
const PIXEL_BLOCK: i32 = 64;
/** Pixels summed per pass of the filter gradient. */
const REDUCE_BLOCK: i32 = 256;

/**
 * The forward geometry, whichever gradient is computed: input [batch, inH, inW, inC], filter
 * [kh, kw, inC, outC], output [batch, outH, outW, outC]. `x`, `w` and `y` point at the input,
 * filter and output, or at their gradients (see each kernel).
 */
@unmanaged export class ConvArgs {
  batch: i32;
  inH: i32;
  inW: i32;
  inC: i32;
  outH: i32;
  outW: i32;
  outC: i32;
  kh: i32;
  kw: i32;
  strideH: i32;
  strideW: i32;
  padTop: i32;
  padLeft: i32;
  x: u32;
  w: u32;
  y: u32;
  scratch: u32;
  scratchPerPart: u32;
}

// ---------------------------------------------------------------- indirect GEMM

/**
 * Output pixels [p0, p1) of a strided correlation: out[pixel, :] = Σ_taps Σ_c in[tap pixel, c]·B,
 * B packed for every output channel (panels of packed, panelBytes apart). `zeros` holds at least
 * inC zeros.
 */
function indirectConv(
  input: usize, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, out: usize, packed: usize, panelBytes: usize,
  zeros: usize, rowPtrs: usize, tmp: usize, p0: i32, p1: i32,
): void {
  const taps = kh * kw;
  const tileBytes = <usize>taps * 16;
  const pixelsPerImage = outH * outW;
  const ldc = <usize>outC << 2;
  for (let pb = p0; pb < p1; pb += PIXEL_BLOCK) {
    const blockEnd = min(p1, pb + PIXEL_BLOCK);
    const tiles = ceilDiv(blockEnd - pb, MR);
    for (let t = 0; t < tiles; t++) {
      for (let r = 0; r < MR; r++) {
        const pixel = pb + t * MR + r;
        const valid = pixel < blockEnd;
        const n = pixel / pixelsPerImage;
        const within = pixel - n * pixelsPerImage;
        const oh = within / outW;
        const top = oh * strideH - padTop;
        const left = (within - oh * outW) * strideW - padLeft;
        let slot = rowPtrs + <usize>t * tileBytes + <usize>r * 4;
        for (let i = 0; i < kh; i++) {
          const ih = top + i;
          for (let j = 0; j < kw; j++) {
            const iw = left + j;
            const inside = valid && ih >= 0 && ih < inH && iw >= 0 && iw < inW;
            store<u32>(slot, inside ? <u32>f32At(input, ((n * inH + ih) * inW + iw) * inC) : <u32>zeros);
            slot += 16;
          }
        }
      }
    }
    for (let jp = 0; jp < outC; jp += NR) {
      const panel = packed + <usize>(jp / NR) * panelBytes;
      const cols = min(NR, outC - jp);
      for (let t = 0; t < tiles; t++) {
        const first = pb + t * MR;
        edgeTile(rowPtrs + <usize>t * tileBytes, taps, inC, 4, panel, f32At(out, first * outC + jp), ldc, min(MR, blockEnd - first), cols, false, tmp);
      }
    }
  }
}

/** Scratch of one part of conv2d or the stride-1 input gradient: packed filter, zeros, row pointers, an edge tile. */
function indirectScratch(k: i32, cOut: i32, cIn: i32, taps: i32): usize {
  return alignUp(<usize>ceilDiv(cOut, NR) * <usize>k * PANEL_ROW_BYTES) + alignUp(<usize>cIn * 4) + alignUp(<usize>(PIXEL_BLOCK / MR) * <usize>taps * 16) + 128;
}

/** y = conv(x, w). Parts split the output pixels. */
export function conv2d(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  const taps = a.kh * a.kw;
  const k = taps * a.inC;
  const pixels = a.batch * a.outH * a.outW;
  const tiles = ceilDiv(pixels, MR);
  const p0 = shareStart(tiles, part, parts) * MR;
  const p1 = min(pixels, shareStart(tiles, part + 1, parts) * MR);
  if (p0 >= p1) return;
  const scratch = <usize>a.scratch + <usize>part * <usize>a.scratchPerPart;
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const packed = scratch;
  const zeros = packed + alignUp(<usize>ceilDiv(a.outC, NR) * panelBytes);
  const rowPtrs = zeros + alignUp(<usize>a.inC * 4);
  const tmp = rowPtrs + alignUp(<usize>(PIXEL_BLOCK / MR) * <usize>taps * 16);
  packB(a.w, a.outC, 1, k, 0, a.outC, packed, panelBytes);
  zero(zeros, a.inC);
  indirectConv(a.x, a.inH, a.inW, a.inC, a.outH, a.outW, a.outC, a.kh, a.kw, a.strideH, a.strideW, a.padTop, a.padLeft, a.y, packed, panelBytes, zeros, rowPtrs, tmp, p0, p1);
}

export function conv2dScratchBytes(argsPtr: usize): usize {
  const a = changetype<ConvArgs>(argsPtr);
  return indirectScratch(a.kh * a.kw * a.inC, a.outC, a.inC, a.kh * a.kw);
}

// ---------------------------------------------------------------- input gradient

/**
 * x = dx from y = dy and w = the filter. Stride 1 (both axes): dx is the correlation of dy, padded by
 * k − 1 − pad in front, with the filter rotated by 180° and its channel axes swapped, read in
 * place like the forward pass. Larger strides: dcol = dy·Wᵀ a block of pixels at a time,
 * scattered into dx (col2im); parts then take whole images so that no two write the same pixel.
 */
export function conv2dInputGrad(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  if (a.strideH == 1 && a.strideW == 1) inputGradStride1(a, part, parts);
  else inputGradScatter(a, part, parts);
}

export function conv2dInputGradScratchBytes(argsPtr: usize): usize {
  const a = changetype<ConvArgs>(argsPtr);
  const taps = a.kh * a.kw;
  if (a.strideH == 1 && a.strideW == 1) return indirectScratch(taps * a.outC, a.inC, a.outC, taps);
  const k = taps * a.inC;
  const kPadded = ceilDiv(k, NR) * NR;
  return alignUp(<usize>ceilDiv(k, NR) * <usize>a.outC * PANEL_ROW_BYTES) + alignUp(<usize>(PIXEL_BLOCK / MR) * 16) + alignUp(<usize>PIXEL_BLOCK * <usize>kPadded * 4);
}

function inputGradStride1(a: ConvArgs, part: i32, parts: i32): void {
  const taps = a.kh * a.kw;
  const k = taps * a.outC;
  const pixels = a.batch * a.inH * a.inW;
  const tiles = ceilDiv(pixels, MR);
  const p0 = shareStart(tiles, part, parts) * MR;
  const p1 = min(pixels, shareStart(tiles, part + 1, parts) * MR);
  if (p0 >= p1) return;
  const scratch = <usize>a.scratch + <usize>part * <usize>a.scratchPerPart;
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const packed = scratch;
  const zeros = packed + alignUp(<usize>ceilDiv(a.inC, NR) * panelBytes);
  const rowPtrs = zeros + alignUp(<usize>a.outC * 4);
  const tmp = rowPtrs + alignUp(<usize>(PIXEL_BLOCK / MR) * <usize>taps * 16);
  // Row (tap, co) of the rotated filter, column ci, is w[taps − 1 − tap][ci][co]: for one tap a
  // [co, ci] block with co contiguous.
  const tapBytes = <usize>a.inC * <usize>a.outC * 4;
  for (let tap = 0; tap < taps; tap++) {
    packB(<usize>a.w + <usize>(taps - 1 - tap) * tapBytes, 1, a.outC, a.outC, 0, a.inC, packed + <usize>(tap * a.outC) * PANEL_ROW_BYTES, panelBytes);
  }
  zero(zeros, a.outC);
  indirectConv(
    a.y, a.outH, a.outW, a.outC, a.inH, a.inW, a.inC, a.kh, a.kw, 1, 1, a.kh - 1 - a.padTop, a.kw - 1 - a.padLeft,
    a.x, packed, panelBytes, zeros, rowPtrs, tmp, p0, p1,
  );
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
  const scratch = <usize>a.scratch + <usize>part * <usize>a.scratchPerPart;
  const panelBytes = <usize>a.outC * PANEL_ROW_BYTES;
  const packed = scratch;
  const rowPtrs = packed + alignUp(<usize>ceilDiv(k, NR) * panelBytes);
  const dcol = rowPtrs + alignUp(<usize>(PIXEL_BLOCK / MR) * 16);
  const ldd = <usize>kPadded << 2;
  // B = Wᵀ: row co, column (tap, ci) is w[(tap, ci), co].
  packB(a.w, 1, a.outC, a.outC, 0, k, packed, panelBytes);
  const pixelsPerImage = a.outH * a.outW;
  const p1 = n1 * pixelsPerImage;
  for (let pb = n0 * pixelsPerImage; pb < p1; pb += PIXEL_BLOCK) {
    const blockEnd = min(p1, pb + PIXEL_BLOCK);
    const tiles = ceilDiv(blockEnd - pb, MR);
    for (let t = 0; t < tiles; t++) {
      for (let r = 0; r < MR; r++) store<u32>(rowPtrs + <usize>(t * 16 + r * 4), <u32>f32At(a.y, min(pb + t * MR + r, blockEnd - 1) * a.outC));
    }
    for (let jp = 0; jp < k; jp += NR) {
      const panel = packed + <usize>(jp / NR) * panelBytes;
      for (let t = 0; t < tiles; t++) microTile(rowPtrs + <usize>t * 16, 1, a.outC, 4, panel, dcol + <usize>(t * MR) * ldd + (<usize>jp << 2), ldd, false);
    }
    for (let pixel = pb; pixel < blockEnd; pixel++) {
      const n = pixel / pixelsPerImage;
      const within = pixel - n * pixelsPerImage;
      const oh = within / a.outW;
      const top = oh * a.strideH - a.padTop;
      const left = (within - oh * a.outW) * a.strideW - a.padLeft;
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
  const taps = a.kh * a.kw;
  const k = taps * a.inC;
  const kTiles = ceilDiv(k, MR);
  const panels = ceilDiv(a.outC, NR);
  const ldc = <usize>(panels * NR) << 2;
  const scratch = <usize>a.scratch + <usize>part * <usize>a.scratchPerPart;
  const partial = scratch;
  const bBlock = partial + alignUp(<usize>(kTiles * MR) * ldc);
  const aTile = bBlock + alignUp(<usize>panels * <usize>REDUCE_BLOCK * PANEL_ROW_BYTES);
  const pixelInfo = aTile + alignUp(<usize>REDUCE_BLOCK * 16);
  const rowPtrs = pixelInfo + alignUp(<usize>REDUCE_BLOCK * 12);
  const pixels = a.batch * a.outH * a.outW;
  const p0 = shareStart(pixels, part, parts);
  const p1 = shareStart(pixels, part + 1, parts);
  if (p0 >= p1) {
    memory.fill(partial, 0, <usize>(kTiles * MR) * ldc);
    return;
  }
  const pixelsPerImage = a.outH * a.outW;
  const panelBytes = <usize>REDUCE_BLOCK * PANEL_ROW_BYTES;
  interleavedRows(rowPtrs, aTile);
  for (let pb = p0; pb < p1; pb += REDUCE_BLOCK) {
    const count = min(REDUCE_BLOCK, p1 - pb);
    packB(f32At(a.y, pb * a.outC), a.outC, 1, count, 0, a.outC, bBlock, panelBytes);
    // Per pixel: image offset, top and left input row of its window.
    for (let q = 0; q < count; q++) {
      const pixel = pb + q;
      const n = pixel / pixelsPerImage;
      const within = pixel - n * pixelsPerImage;
      const oh = within / a.outW;
      const info = pixelInfo + <usize>q * 12;
      store<i32>(info, n * a.inH);
      store<i32>(info, oh * a.strideH - a.padTop, 4);
      store<i32>(info, (within - oh * a.outW) * a.strideW - a.padLeft, 8);
    }
    for (let kt = 0; kt < kTiles; kt++) {
      packPatchTile(a, kt * MR, k, count, pixelInfo, aTile);
      for (let jp = 0; jp < panels; jp++) {
        microTile(rowPtrs, 1, count, 16, bBlock + <usize>jp * panelBytes, partial + <usize>(kt * MR) * ldc + (<usize>(jp * NR) << 2), ldc, pb > p0);
      }
    }
  }
}

/**
 * Interleaved tile of patchᵀ: rows k0..k0+3 ((tap, ci) pairs; past k they are zero), one column
 * per pixel of the block: dst[q·4 + r] = x[pixel q's window at tap, ci].
 */
function packPatchTile(a: ConvArgs, k0: i32, k: i32, count: i32, pixelInfo: usize, dst: usize): void {
  const tap = k0 / a.inC;
  const ci = k0 - tap * a.inC;
  const i = tap / a.kw;
  const j = tap - i * a.kw;
  if (ci + MR <= a.inC) {
    // One tap, four neighbouring channels: a single vector per pixel.
    for (let q = 0; q < count; q++) {
      const info = pixelInfo + <usize>q * 12;
      const ih = load<i32>(info, 4) + i;
      const iw = load<i32>(info, 8) + j;
      const inside = ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW;
      const value = inside ? v128.load(f32At(a.x, ((load<i32>(info) + ih) * a.inW + iw) * a.inC + ci)) : f32x4.splat(0);
      v128.store(dst + (<usize>q << 4), value);
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    const kk = k0 + r;
    const rowTap = kk / a.inC;
    const rowCi = kk - rowTap * a.inC;
    const ri = rowTap / a.kw;
    const rj = rowTap - ri * a.kw;
    for (let q = 0; q < count; q++) {
      const info = pixelInfo + <usize>q * 12;
      const ih = load<i32>(info, 4) + ri;
      const iw = load<i32>(info, 8) + rj;
      const inside = kk < k && ih >= 0 && ih < a.inH && iw >= 0 && iw < a.inW;
      store<f32>(dst + (<usize>q << 4) + (<usize>r << 2), inside ? load<f32>(f32At(a.x, ((load<i32>(info) + ih) * a.inW + iw) * a.inC + rowCi)) : 0);
    }
  }
}

export function conv2dFilterGradScratchBytes(argsPtr: usize): usize {
  const a = changetype<ConvArgs>(argsPtr);
  const k = a.kh * a.kw * a.inC;
  const panels = ceilDiv(a.outC, NR);
  return (
    alignUp(<usize>(ceilDiv(k, MR) * MR) * <usize>(panels * NR) * 4) +
    alignUp(<usize>panels * <usize>REDUCE_BLOCK * PANEL_ROW_BYTES) +
    alignUp(<usize>REDUCE_BLOCK * 16) +
    alignUp(<usize>REDUCE_BLOCK * 12) +
    16
  );
}

/** w = dW = Σ over `partials` parts' buffers; parts split the rows of dW. */
export function conv2dFilterGradSum(argsPtr: usize, partials: i32, part: i32, parts: i32): void {
  const a = changetype<ConvArgs>(argsPtr);
  const k = a.kh * a.kw * a.inC;
  const ldc = ceilDiv(a.outC, NR) * NR;
  const r0 = shareStart(k, part, parts);
  const r1 = shareStart(k, part + 1, parts);
  for (let r = r0; r < r1; r++) {
    const out = f32At(a.w, r * a.outC);
    memory.copy(out, f32At(a.scratch, r * ldc), <usize>a.outC << 2);
    for (let q = 1; q < partials; q++) addTo(out, f32At(<usize>a.scratch + <usize>q * <usize>a.scratchPerPart, r * ldc), a.outC);
  }
}
