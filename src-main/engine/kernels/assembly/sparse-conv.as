// A convolution on compressed weights: the active taps of each output channel only. Filter [kh,
// kw, inC, outC] row-major, its active positions listed by output channel (channelPtr [outC +
// 1]; for each entry its tap row r = (y·kw + x)·inC + c and its index in vals, which stay in
// position order). Activations are NHWC outside. Inside, each image is laid out by channel:
// zero-padded planes per input channel, and per output channel a plane with the same row length
// (the plane width), whose last columns are not outputs. At stride 1 a channel has one plane,
// the padded input; at stride s it has phase planes, phase (py mod s, px mod s) holding the
// padded pixels (py, px) at (py / s, px / s), so that a window's tap (ty, tx) reads plane (ty
// mod s, tx mod s) at (oy + ty / s, ox + tx / s) for output (oy, ox): a stride-1 reading of that
// plane (only the phases a tap reads have one: min(s, kh) × min(s, kw) of them). Then output
// float f of a plane reads input float f + (the tap's offset) of its channel's plane, for every
// f: a tile of 32 consecutive output floats (eight vectors, across row ends) reads 32
// consecutive input floats per tap, at offsets the code can hold as constants, and is summed in
// registers over the channel's active taps. The columns that are not outputs cost (ceil(kw / s)
// − 1) / plane width of the work. Dense filters (every position indexed, few input channels) run
// on their own kernels at the end of this file, over tiles of 16 floats for two output channels
// at a time. Parts split the batch in whole chunks (run pinned), so the weight gradient's
// partial sums, one per chunk, are the same whatever the number of threads.
import { transposeStrided } from './layout';
import { addTo, alignUp, BATCH_CHUNK, chunkStart, f32At, laneSum, zero } from './memory';

/** Output floats summed at once in registers (eight vectors). */
const TILE: i32 = 32;

@unmanaged export class SparseConvArgs {
  batch: i32;
  inH: i32;
  inW: i32;
  inC: i32;
  outH: i32;
  outW: i32;
  outC: i32;
  kh: i32;
  kw: i32;
  padTop: i32;
  padLeft: i32;
  strideH: i32;
  strideW: i32;
  /** i32 [outC + 1]: where each output channel's entries start. */
  channelPtr: u32;
  /** i32 [nnz]: each entry's tap row r = (y·kw + x)·inC + c. */
  rows: u32;
  /** i32 [nnz]: each entry's index in vals. */
  order: u32;
  /** f32 [nnz]: the active weights in position order, or 0 when only the weight gradient is made. */
  vals: u32;
  /** Filled by sparseConvPrepare: i32 [nnz] each entry's offset in a padded image, f32 [nnz] its weight. */
  offsets: u32;
  weights: u32;
  /** Input [batch, inH, inW, inC]. */
  x: u32;
  /** Forward: the output; backward: dL/dy. [batch, outH, outW, outC]. */
  y: u32;
  /** Forward: bias [outC] or 0. */
  bias: u32;
  /** Backward: dL/dx (like x) or 0. */
  dx: u32;
  /** Backward: [chunks, nnz] sums of dL/dW over each chunk's examples, in position order, or 0. */
  partials: u32;
  scratch: u32;
  scratchPerPart: u32;
}

/** Rows (columns) of a phase plane that a window reads: ceil(kh / strideH) (ceil(kw / strideW)). */
@inline function phaseKh(a: SparseConvArgs): i32 {
  return (a.kh + a.strideH - 1) / a.strideH;
}
@inline function phaseKw(a: SparseConvArgs): i32 {
  return (a.kw + a.strideW - 1) / a.strideW;
}
/**
 * Phases a tap reads along each axis: min(stride, window). A stride larger than the window skips
 * the pixels between windows, and their phases are neither laid out nor read.
 */
@inline function phaseRows(a: SparseConvArgs): i32 {
  return min(a.strideH, a.kh);
}
@inline function phaseCols(a: SparseConvArgs): i32 {
  return min(a.strideW, a.kw);
}
/** Phase planes per input channel. */
@inline function phases(a: SparseConvArgs): i32 {
  return phaseRows(a) * phaseCols(a);
}
/** Row length of every plane: the outputs' and the columns the last window reads past them. */
@inline function planeW(a: SparseConvArgs): i32 {
  return a.outW + phaseKw(a) - 1;
}
/** Rows of every input plane. */
@inline function planeH(a: SparseConvArgs): i32 {
  return a.outH + phaseKh(a) - 1;
}
@inline function paddedPlane(a: SparseConvArgs): i32 {
  return planeH(a) * planeW(a);
}
/** Output floats of a plane computed: its rows at the plane width, in whole tiles. */
@inline function outTiles(a: SparseConvArgs): i32 {
  return (a.outH * planeW(a) + TILE - 1) / TILE;
}
/**
 * Floats from one output channel's plane to the next: a cache line more than its tiles, so that
 * the planes of the channels a tile goes through do not all fall in the same L1 sets.
 */
@inline function outPlane(a: SparseConvArgs): i32 {
  return outTiles(a) * TILE + 16;
}
/**
 * Floats after the last padded input plane that the last tile may read (and, for dx, add zeros
 * to): its reads start up to phaseKw − 1 floats past its own output floats and run to the end of
 * the tile, up to TILE − 1 floats past the plane's last output float.
 */
@inline function slack(a: SparseConvArgs): i32 {
  return TILE + phaseKw(a);
}
@inline function paddedImageFloats(a: SparseConvArgs): i32 {
  return phases(a) * a.inC * paddedPlane(a) + slack(a);
}

/** Bytes of a padded image (every phase plane of every channel) in scratch. */
@inline function imageBytes(a: SparseConvArgs): usize {
  return alignUp(<usize>paddedImageFloats(a) << 2);
}
/** Bytes of the output (or dL/dy) planes in scratch. */
@inline function planesBytes(a: SparseConvArgs): usize {
  return alignUp(<usize>(a.outC * outPlane(a)) << 2);
}
/**
 * Where a part's scratch starts: its padded input, then (imageBytes on) the planes, then
 * (planesBytes on) the padded dx when asked, then the weight gradient's sums by entry when asked.
 */
@inline function partScratch(a: SparseConvArgs, part: i32): usize {
  return <usize>a.scratch + <usize>part * <usize>a.scratchPerPart;
}

/**
 * Scratch bytes of one part: the padded input, the output (or dL/dy) by channel, and the padded
 * dx and the weight gradient's sums when asked.
 */
export function sparseConvScratchBytes(args: usize): usize {
  const a = changetype<SparseConvArgs>(args);
  return imageBytes(a) + planesBytes(a) + (a.dx != 0 ? imageBytes(a) : 0) + (a.partials != 0 ? tapSumsBytes(a) : 0);
}

/** Bytes of the weight gradient's sums by entry, one vector each, kept over a chunk. */
@inline function tapSumsBytes(a: SparseConvArgs): usize {
  return alignUp(<usize>load<i32>(f32At(a.channelPtr, a.outC)) << 4);
}

/**
 * Each entry's offset in a padded image (its phase plane's start, then its place in it) and
 * (unless vals is 0: a filter gradient alone needs no weights) its weight, gathered in entry
 * order (serial, before the parts run). Phase (ry, rx) of channel c is plane (ry·phaseCols + rx)·inC + c.
 */
export function sparseConvPrepare(args: usize): void {
  const a = changetype<SparseConvArgs>(args);
  const nnz = load<i32>(f32At(a.channelPtr, a.outC));
  const wp = planeW(a);
  const plane = paddedPlane(a);
  for (let k = 0; k < nnz; k++) {
    const r = load<i32>(f32At(a.rows, k));
    const c = r % a.inC;
    const ty = r / a.inC / a.kw;
    const tx = (r / a.inC) % a.kw;
    const phase = (ty % a.strideH) * phaseCols(a) + tx % a.strideW;
    store<i32>(f32At(a.offsets, k), (phase * a.inC + c) * plane + (ty / a.strideH) * wp + tx / a.strideW);
    if (a.vals != 0) store<f32>(f32At(a.weights, k), load<f32>(f32At(a.vals, load<i32>(f32At(a.order, k)))));
  }
}

/** Rows of the input that fall in a phase plane, and columns (the rest lie past the last window). */
@inline function readRows(a: SparseConvArgs): i32 {
  return min(a.inH, planeH(a) * a.strideH - a.padTop);
}
@inline function readCols(a: SparseConvArgs): i32 {
  return min(a.inW, planeW(a) * a.strideW - a.padLeft);
}

/** The first of the input columns [0, readCols) whose padded column is in phase rx; readCols when none is. */
@inline function phaseFirstCol(a: SparseConvArgs, rx: i32): i32 {
  return min(readCols(a), (rx - a.padLeft % a.strideW + a.strideW) % a.strideW);
}

/** How many of the input columns [0, readCols) have their padded column in phase rx. */
@inline function colsInPhase(a: SparseConvArgs, rx: i32): i32 {
  return (readCols(a) - phaseFirstCol(a, rx) + a.strideW - 1) / a.strideW;
}

/**
 * Where input pixel (h, w0), of phase (ry, rx), lies in the padded image: its phase plane of
 * channel 0 (channel c's is c planes on), at (py / strideH, px / strideW).
 */
@inline function paddedAt(a: SparseConvArgs, padded: usize, h: i32, w0: i32, ry: i32, rx: i32): usize {
  const py = h + a.padTop;
  return f32At(padded, (ry * phaseCols(a) + rx) * a.inC * paddedPlane(a) + (py / a.strideH) * planeW(a) + (w0 + a.padLeft) / a.strideW);
}

/**
 * Image n of x into `padded`: its phase planes per channel with zero borders, and the slack after
 * them zero. Pixels of the phases no tap reads (a stride larger than the window) are left out.
 */
function padImage(a: SparseConvArgs, n: i32, padded: usize): void {
  const plane = paddedPlane(a);
  const h1 = readRows(a);
  const w1 = readCols(a);
  const all = phases(a) * a.inC * plane;
  if (a.padTop > 0 || a.padLeft > 0 || h1 + a.padTop < planeH(a) * a.strideH || w1 + a.padLeft < planeW(a) * a.strideW) zero(padded, all);
  zero(f32At(padded, all), slack(a));
  copyPhases(a, f32At(a.x, n * a.inH * a.inW * a.inC), padded, true);
}

/** dx of image n from the padded input gradient (its border dropped); zero where no tap reads. */
function unpadImage(a: SparseConvArgs, n: i32, padded: usize): void {
  const image = f32At(a.dx, n * a.inH * a.inW * a.inC);
  if (readRows(a) < a.inH || readCols(a) < a.inW || a.strideH > a.kh || a.strideW > a.kw) zero(image, a.inH * a.inW * a.inC);
  copyPhases(a, image, padded, false);
}

/**
 * Every input pixel some tap reads, between an NHWC image and its phase planes in `padded`: into
 * the planes with `toPlanes`, else back out of them. One row of one phase at a time, its pixels
 * strideW apart in the image.
 */
function copyPhases(a: SparseConvArgs, image: usize, padded: usize, toPlanes: bool): void {
  const plane = paddedPlane(a);
  for (let h = 0; h < readRows(a); h++) {
    const ry = (h + a.padTop) % a.strideH;
    if (ry >= phaseRows(a)) continue;
    for (let rx = 0; rx < phaseCols(a); rx++) {
      const w0 = phaseFirstCol(a, rx);
      const cols = colsInPhase(a, rx);
      if (cols <= 0) continue;
      const pixels = f32At(image, (h * a.inW + w0) * a.inC);
      const at = paddedAt(a, padded, h, w0, ry, rx);
      if (toPlanes) transposeStrided(pixels, cols, a.inC, a.inC * a.strideW, at, plane);
      else transposeStrided(at, a.inC, cols, plane, pixels, a.inC * a.strideW);
    }
  }
}

/** Image n of y (NHWC) from the output by channel, plus the bias. */
function writeImage(a: SparseConvArgs, n: i32, out: usize): void {
  const wp = planeW(a);
  const plane = outPlane(a);
  const image = f32At(a.y, n * a.outH * a.outW * a.outC);
  for (let h = 0; h < a.outH; h++) transposeStrided(f32At(out, h * wp), a.outC, a.outW, plane, f32At(image, h * a.outW * a.outC), a.outC);
  if (a.bias == 0) return;
  for (let pixel = 0; pixel < a.outH * a.outW; pixel++) addTo(f32At(image, pixel * a.outC), a.bias, a.outC);
}

/** Image n of dL/dy (NHWC) by channel, zero in the columns and tile ends that are not outputs. */
function readGradImage(a: SparseConvArgs, n: i32, out: usize): void {
  const wp = planeW(a);
  const plane = outPlane(a);
  zero(out, a.outC * plane);
  for (let h = 0; h < a.outH; h++) transposeStrided(f32At(a.y, (n * a.outH + h) * a.outW * a.outC), a.outW, a.outC, a.outC, f32At(out, h * wp), plane);
}

/**
 * y = conv(x, W) + bias. Per image: pad it by channel; for each tile and each output channel (so
 * that the input the tile reads stays in L1 while every channel reads it), sum w · (the tap's
 * input under the tile) over the channel's entries in order, from 0; then write the image out
 * NHWC with the bias added.
 */
export function sparseConvForward(args: usize, part: i32, parts: i32): void {
  const a = changetype<SparseConvArgs>(args);
  const padded = partScratch(a, part);
  const out = padded + imageBytes(a);
  const tiles = outTiles(a);
  const plane = outPlane(a);
  const n1 = chunkStart(a.batch, part + 1, parts);
  for (let n = chunkStart(a.batch, part, parts); n < n1; n++) {
    padImage(a, n, padded);
    for (let t = 0; t < tiles; t++) {
      const base = f32At(padded, t * TILE);
      for (let co = 0; co < a.outC; co++) {
        const k1 = load<i32>(f32At(a.channelPtr, co + 1));
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
        for (let k = load<i32>(f32At(a.channelPtr, co)); k < k1; k++) {
          const w = f32x4.splat(load<f32>(f32At(a.weights, k)));
          const p = f32At(base, load<i32>(f32At(a.offsets, k)));
          a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
          a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
          a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
          a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
          a4 = f32x4.add(a4, f32x4.mul(w, v128.load(p, 64)));
          a5 = f32x4.add(a5, f32x4.mul(w, v128.load(p, 80)));
          a6 = f32x4.add(a6, f32x4.mul(w, v128.load(p, 96)));
          a7 = f32x4.add(a7, f32x4.mul(w, v128.load(p, 112)));
        }
        const o = f32At(out, co * plane + t * TILE);
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
        v128.store(o, a4, 64);
        v128.store(o, a5, 80);
        v128.store(o, a6, 96);
        v128.store(o, a7, 112);
      }
    }
    writeImage(a, n, out);
  }
}

/**
 * The backward pass on each image of the part: when partials is not 0, dL/dW at every active
 * position, each entry's products summed in a vector over the tiles of each of a chunk's images
 * in order, its lanes added once at the chunk's end into the chunk's row of partials (in position
 * order; a lane sum and a scalar add per tile and entry took 28% longer); when dx is not 0,
 * dL/dx, each entry's weight times the tile of dL/dy added at its tap. Both read each tile of
 * dL/dy once, from registers; its floats that are not outputs are zero, so they add nothing.
 */
export function sparseConvBackward(args: usize, part: i32, parts: i32): void {
  const a = changetype<SparseConvArgs>(args);
  const padded = partScratch(a, part);
  const dy = padded + imageBytes(a);
  const dxPadded = dy + planesBytes(a);
  const sums = dxPadded + (a.dx != 0 ? imageBytes(a) : 0);
  const nnz = load<i32>(f32At(a.channelPtr, a.outC));
  const tiles = outTiles(a);
  const plane = outPlane(a);
  const n1 = chunkStart(a.batch, part + 1, parts);
  for (let n = chunkStart(a.batch, part, parts); n < n1; n++) {
    const partial = a.partials == 0 ? 0 : f32At(a.partials, (n / BATCH_CHUNK) * nnz);
    if (partial != 0) {
      if (n % BATCH_CHUNK == 0) zero(sums, nnz << 2);
      padImage(a, n, padded);
    }
    if (a.dx != 0) zero(dxPadded, paddedImageFloats(a));
    readGradImage(a, n, dy);
    for (let t = 0; t < tiles; t++) {
      const base = f32At(padded, t * TILE);
      const dxBase = f32At(dxPadded, t * TILE);
      for (let co = 0; co < a.outC; co++) {
        const k0 = load<i32>(f32At(a.channelPtr, co));
        const k1 = load<i32>(f32At(a.channelPtr, co + 1));
        const g = f32At(dy, co * plane + t * TILE);
        const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
        const g4 = v128.load(g, 64), g5 = v128.load(g, 80), g6 = v128.load(g, 96), g7 = v128.load(g, 112);
        if (partial != 0) {
          for (let k = k0; k < k1; k++) {
            const p = f32At(base, load<i32>(f32At(a.offsets, k)));
            let s = f32x4.mul(g0, v128.load(p));
            s = f32x4.add(s, f32x4.mul(g1, v128.load(p, 16)));
            s = f32x4.add(s, f32x4.mul(g2, v128.load(p, 32)));
            s = f32x4.add(s, f32x4.mul(g3, v128.load(p, 48)));
            s = f32x4.add(s, f32x4.mul(g4, v128.load(p, 64)));
            s = f32x4.add(s, f32x4.mul(g5, v128.load(p, 80)));
            s = f32x4.add(s, f32x4.mul(g6, v128.load(p, 96)));
            s = f32x4.add(s, f32x4.mul(g7, v128.load(p, 112)));
            const at = sums + (<usize>k << 4);
            v128.store(at, f32x4.add(v128.load(at), s));
          }
        }
        if (a.dx != 0) {
          for (let k = k0; k < k1; k++) {
            const w = f32x4.splat(load<f32>(f32At(a.weights, k)));
            const p = f32At(dxBase, load<i32>(f32At(a.offsets, k)));
            v128.store(p, f32x4.add(v128.load(p), f32x4.mul(w, g0)));
            v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(w, g1)), 16);
            v128.store(p, f32x4.add(v128.load(p, 32), f32x4.mul(w, g2)), 32);
            v128.store(p, f32x4.add(v128.load(p, 48), f32x4.mul(w, g3)), 48);
            v128.store(p, f32x4.add(v128.load(p, 64), f32x4.mul(w, g4)), 64);
            v128.store(p, f32x4.add(v128.load(p, 80), f32x4.mul(w, g5)), 80);
            v128.store(p, f32x4.add(v128.load(p, 96), f32x4.mul(w, g6)), 96);
            v128.store(p, f32x4.add(v128.load(p, 112), f32x4.mul(w, g7)), 112);
          }
        }
      }
    }
    if (a.dx != 0) unpadImage(a, n, dxPadded);
    if (partial != 0 && ((n + 1) % BATCH_CHUNK == 0 || n + 1 == a.batch)) {
      for (let k = 0; k < nnz; k++) store<f32>(f32At(partial, load<i32>(f32At(a.order, k))), laneSum(v128.load(sums + (<usize>k << 4))));
    }
  }
}

/** Output floats of a dense filter's tile (four vectors, for each of two channels). */
const DENSE_TILE: i32 = 16;

/** Taps of each output channel of a dense filter (all of them: kh · kw · inC). */
@inline function denseTaps(a: SparseConvArgs): i32 {
  return load<i32>(f32At(a.channelPtr, 1));
}
/** Tiles of DENSE_TILE floats over an output plane's rows at the plane width (within outTiles' TILE-float tiles). */
@inline function denseTiles(a: SparseConvArgs): i32 {
  return (a.outH * planeW(a) + DENSE_TILE - 1) / DENSE_TILE;
}

/**
 * sparseConvForward for a dense filter, every channel holding every tap in the same order (the
 * index of channel-index.ts's denseChannelIndex): two output channels at once, over tiles of 16
 * floats, so each input vector loaded serves both. Each output is the same sum, in the same order,
 * as sparseConvForward makes.
 */
export function denseConvForward(args: usize, part: i32, parts: i32): void {
  const a = changetype<SparseConvArgs>(args);
  const padded = partScratch(a, part);
  const out = padded + imageBytes(a);
  const taps = denseTaps(a);
  const tiles = denseTiles(a);
  const plane = outPlane(a);
  const n1 = chunkStart(a.batch, part + 1, parts);
  for (let n = chunkStart(a.batch, part, parts); n < n1; n++) {
    padImage(a, n, padded);
    for (let t = 0; t < tiles; t++) {
      const base = f32At(padded, t * DENSE_TILE);
      for (let co = 0; co < a.outC; co += 2) {
        // An odd last channel is computed twice, into the same place.
        const co2 = min(co + 1, a.outC - 1);
        const w0 = f32At(a.weights, co * taps);
        const w1 = f32At(a.weights, co2 * taps);
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        for (let k = 0; k < taps; k++) {
          const p = f32At(base, load<i32>(f32At(a.offsets, k)));
          const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
          const x = f32x4.splat(load<f32>(f32At(w0, k)));
          const y = f32x4.splat(load<f32>(f32At(w1, k)));
          a0 = f32x4.add(a0, f32x4.mul(x, v0));
          a1 = f32x4.add(a1, f32x4.mul(x, v1));
          a2 = f32x4.add(a2, f32x4.mul(x, v2));
          a3 = f32x4.add(a3, f32x4.mul(x, v3));
          b0 = f32x4.add(b0, f32x4.mul(y, v0));
          b1 = f32x4.add(b1, f32x4.mul(y, v1));
          b2 = f32x4.add(b2, f32x4.mul(y, v2));
          b3 = f32x4.add(b3, f32x4.mul(y, v3));
        }
        const o = f32At(out, co * plane + t * DENSE_TILE);
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
        const o2 = f32At(out, co2 * plane + t * DENSE_TILE);
        v128.store(o2, b0);
        v128.store(o2, b1, 16);
        v128.store(o2, b2, 32);
        v128.store(o2, b3, 48);
      }
    }
    writeImage(a, n, out);
  }
}

/**
 * dL/dx alone for a dense filter (the index of denseChannelIndex, as for denseConvForward): over
 * tiles of 16 floats of dL/dy, two output channels at once, whose weights at a tap both add to the
 * same floats of dL/dx, so each of those is loaded and stored once for the two. An odd last channel
 * goes alone.
 */
export function denseConvInputGrad(args: usize, part: i32, parts: i32): void {
  const a = changetype<SparseConvArgs>(args);
  const padded = partScratch(a, part);
  const dy = padded + imageBytes(a);
  const dxPadded = dy + planesBytes(a);
  const taps = denseTaps(a);
  const tiles = denseTiles(a);
  const plane = outPlane(a);
  const n1 = chunkStart(a.batch, part + 1, parts);
  for (let n = chunkStart(a.batch, part, parts); n < n1; n++) {
    zero(dxPadded, paddedImageFloats(a));
    readGradImage(a, n, dy);
    for (let t = 0; t < tiles; t++) {
      const dxBase = f32At(dxPadded, t * DENSE_TILE);
      let co = 0;
      for (; co + 1 < a.outC; co += 2) {
        const g = f32At(dy, co * plane + t * DENSE_TILE);
        const h = f32At(dy, (co + 1) * plane + t * DENSE_TILE);
        const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
        const h0 = v128.load(h), h1 = v128.load(h, 16), h2 = v128.load(h, 32), h3 = v128.load(h, 48);
        const w0 = f32At(a.weights, co * taps);
        const w1 = f32At(a.weights, (co + 1) * taps);
        for (let k = 0; k < taps; k++) {
          const x = f32x4.splat(load<f32>(f32At(w0, k)));
          const y = f32x4.splat(load<f32>(f32At(w1, k)));
          const p = f32At(dxBase, load<i32>(f32At(a.offsets, k)));
          v128.store(p, f32x4.add(f32x4.add(v128.load(p), f32x4.mul(x, g0)), f32x4.mul(y, h0)));
          v128.store(p, f32x4.add(f32x4.add(v128.load(p, 16), f32x4.mul(x, g1)), f32x4.mul(y, h1)), 16);
          v128.store(p, f32x4.add(f32x4.add(v128.load(p, 32), f32x4.mul(x, g2)), f32x4.mul(y, h2)), 32);
          v128.store(p, f32x4.add(f32x4.add(v128.load(p, 48), f32x4.mul(x, g3)), f32x4.mul(y, h3)), 48);
        }
      }
      if (co < a.outC) {
        const g = f32At(dy, co * plane + t * DENSE_TILE);
        const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
        const w0 = f32At(a.weights, co * taps);
        for (let k = 0; k < taps; k++) {
          const x = f32x4.splat(load<f32>(f32At(w0, k)));
          const p = f32At(dxBase, load<i32>(f32At(a.offsets, k)));
          v128.store(p, f32x4.add(v128.load(p), f32x4.mul(x, g0)));
          v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(x, g1)), 16);
          v128.store(p, f32x4.add(v128.load(p, 32), f32x4.mul(x, g2)), 32);
          v128.store(p, f32x4.add(v128.load(p, 48), f32x4.mul(x, g3)), 48);
        }
      }
    }
    unpadImage(a, n, dxPadded);
  }
}

/**
 * The weight gradient alone for a dense filter (the index of denseChannelIndex): per image, two
 * output channels and two taps at a time, each of the four sums kept in a vector over every tile
 * of 16 floats of the image and its lanes added to the chunk's row of partials once per image
 * (sparseConvBackward, whose outer loop is the tiles, keeps its sums in scratch over the whole chunk).
 * An odd last channel or tap is taken twice and added once.
 */
export function denseConvFilterGrad(args: usize, part: i32, parts: i32): void {
  const a = changetype<SparseConvArgs>(args);
  const padded = partScratch(a, part);
  const dy = padded + imageBytes(a);
  const nnz = load<i32>(f32At(a.channelPtr, a.outC));
  const taps = denseTaps(a);
  const tiles = denseTiles(a);
  const plane = outPlane(a);
  const n1 = chunkStart(a.batch, part + 1, parts);
  for (let n = chunkStart(a.batch, part, parts); n < n1; n++) {
    const partial = f32At(a.partials, (n / BATCH_CHUNK) * nnz);
    if (n % BATCH_CHUNK == 0) zero(partial, nnz);
    padImage(a, n, padded);
    readGradImage(a, n, dy);
    for (let co = 0; co < a.outC; co += 2) {
      const co2 = min(co + 1, a.outC - 1);
      for (let k = 0; k < taps; k += 2) {
        const k2 = min(k + 1, taps - 1);
        const p = <usize>load<i32>(f32At(a.offsets, k)) << 2;
        const q = <usize>load<i32>(f32At(a.offsets, k2)) << 2;
        let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
        for (let t = 0; t < tiles; t++) {
          const base = f32At(padded, t * DENSE_TILE);
          const g = f32At(dy, co * plane + t * DENSE_TILE);
          const h = f32At(dy, co2 * plane + t * DENSE_TILE);
          const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
          const h0 = v128.load(h), h1 = v128.load(h, 16), h2 = v128.load(h, 32), h3 = v128.load(h, 48);
          let v0 = v128.load(base + p), v1 = v128.load(base + p, 16), v2 = v128.load(base + p, 32), v3 = v128.load(base + p, 48);
          s00 = f32x4.add(s00, f32x4.add(f32x4.add(f32x4.mul(g0, v0), f32x4.mul(g1, v1)), f32x4.add(f32x4.mul(g2, v2), f32x4.mul(g3, v3))));
          s10 = f32x4.add(s10, f32x4.add(f32x4.add(f32x4.mul(h0, v0), f32x4.mul(h1, v1)), f32x4.add(f32x4.mul(h2, v2), f32x4.mul(h3, v3))));
          v0 = v128.load(base + q);
          v1 = v128.load(base + q, 16);
          v2 = v128.load(base + q, 32);
          v3 = v128.load(base + q, 48);
          s01 = f32x4.add(s01, f32x4.add(f32x4.add(f32x4.mul(g0, v0), f32x4.mul(g1, v1)), f32x4.add(f32x4.mul(g2, v2), f32x4.mul(g3, v3))));
          s11 = f32x4.add(s11, f32x4.add(f32x4.add(f32x4.mul(h0, v0), f32x4.mul(h1, v1)), f32x4.add(f32x4.mul(h2, v2), f32x4.mul(h3, v3))));
        }
        addAt(a, partial, co * taps + k, s00);
        if (k2 != k) addAt(a, partial, co * taps + k2, s01);
        if (co2 != co) {
          addAt(a, partial, co2 * taps + k, s10);
          if (k2 != k) addAt(a, partial, co2 * taps + k2, s11);
        }
      }
    }
  }
}

/** Adds the lanes of `s` to the partial of entry e (at its position, through order). */
@inline function addAt(a: SparseConvArgs, partial: usize, e: i32, s: v128): void {
  const at = f32At(partial, load<i32>(f32At(a.order, e)));
  store<f32>(at, load<f32>(at) + laneSum(s));
}
