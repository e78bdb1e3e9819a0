// Max pooling over NHWC windows and its gradient, four channels at a time in SIMD lanes. Channels
// left over after the last four go in one more vector of the last four channels, which repeats
// some of the one before it and writes the same numbers again (the gradient only where windows do
// not overlap, since there it stores rather than adds); with fewer than four channels, or
// overlapping gradient windows, they go one by one. The gradient goes to the first maximum of each
// window in row-major order (as tfjs's cpu kernel does); windows that overlap add up. Parts take
// whole images, so no two write the same input pixel.
import { f32At, shareStart } from './memory';

/** The window geometry in ConvArgs' order (outC equal to channels), then the tensors. */
@unmanaged export class PoolArgs {
  batch: i32;
  inH: i32;
  inW: i32;
  channels: i32;
  outH: i32;
  outW: i32;
  outChannels: i32;
  kh: i32;
  kw: i32;
  strideH: i32;
  strideW: i32;
  padTop: i32;
  padLeft: i32;
  x: u32;
  dy: u32;
  out: u32;
}

/** The window of output pixel (oh, ow) clipped to the image, rows [r0, r1) and columns [c0, c1), packed in an i64. */
@inline function windowOf(a: PoolArgs, oh: i32, ow: i32): i64 {
  const top = oh * a.strideH - a.padTop;
  const left = ow * a.strideW - a.padLeft;
  const r0 = max(0, top), r1 = min(a.inH, top + a.kh);
  const c0 = max(0, left), c1 = min(a.inW, left + a.kw);
  return (<i64>r0 << 48) | (<i64>r1 << 32) | (<i64>c0 << 16) | <i64>c1;
}

@inline function r0Of(w: i64): i32 { return <i32>(w >> 48) & 0xffff; }
@inline function r1Of(w: i64): i32 { return <i32>(w >> 32) & 0xffff; }
@inline function c0Of(w: i64): i32 { return <i32>(w >> 16) & 0xffff; }
@inline function c1Of(w: i64): i32 { return <i32>w & 0xffff; }

/** Maxima of channels c..c+3 over a window of image `image` (NaN never wins; −∞ where nothing else does). */
@inline function windowMax4(a: PoolArgs, image: usize, w: i64, c: i32): v128 {
  const step = <usize>a.channels << 2;
  let value = f32x4.splat(-Infinity);
  for (let r = r0Of(w), r1 = r1Of(w); r < r1; r++) {
    let p = f32At(image, (r * a.inW + c0Of(w)) * a.channels + c);
    for (let col = c0Of(w), c1 = c1Of(w); col < c1; col++, p += step) {
      const v = v128.load(p);
      value = v128.bitselect(v, value, f32x4.gt(v, value));
    }
  }
  return value;
}

/** Address of the first maximum of channel c over a window of `image`, or 0 where every value is NaN or −∞. */
@inline function firstMaxAt(a: PoolArgs, image: usize, w: i64, c: i32): usize {
  let value: f32 = -Infinity;
  let at: usize = 0;
  for (let r = r0Of(w), r1 = r1Of(w); r < r1; r++) {
    for (let col = c0Of(w), c1 = c1Of(w); col < c1; col++) {
      const p = f32At(image, (r * a.inW + col) * a.channels + c);
      const v = load<f32>(p);
      if (v > value) {
        value = v;
        at = p;
      }
    }
  }
  return at;
}

/**
 * Whether every window is 2×2 and inside the image (no padding): the usual pooling, whose taps are
 * then read at fixed offsets, in the same row-major order as windowMax4 and routeMax4 take them.
 */
@inline function whole2x2(a: PoolArgs): bool {
  return a.kh == 2 && a.kw == 2 && a.padTop == 0 && a.padLeft == 0 && (a.outH - 1) * a.strideH + 2 <= a.inH && (a.outW - 1) * a.strideW + 2 <= a.inW;
}

/** Maxima of the four vectors of a whole 2×2 window from `p` (NaN never wins; −∞ where nothing else does), as windowMax4. */
@inline function max2x2(p: usize, step: usize, rowBytes: usize): v128 {
  let value = f32x4.splat(-Infinity);
  let v = v128.load(p);
  value = v128.bitselect(v, value, f32x4.gt(v, value));
  v = v128.load(p + step);
  value = v128.bitselect(v, value, f32x4.gt(v, value));
  v = v128.load(p + rowBytes);
  value = v128.bitselect(v, value, f32x4.gt(v, value));
  v = v128.load(p + rowBytes + step);
  return v128.bitselect(v, value, f32x4.gt(v, value));
}

/** out = max over each window. */
export function maxPool(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<PoolArgs>(argsPtr);
  const channels = a.channels;
  const vecEnd = channels & ~3;
  const imageSize = a.inH * a.inW * channels;
  const fast = whole2x2(a) && channels >= 4;
  const step = <usize>channels << 2;
  const rowBytes = <usize>(a.inW * channels) << 2;
  for (let n = shareStart(a.batch, part, parts), n1 = shareStart(a.batch, part + 1, parts); n < n1; n++) {
    const image = f32At(a.x, n * imageSize);
    for (let oh = 0; oh < a.outH; oh++) {
      for (let ow = 0; ow < a.outW; ow++) {
        const o = f32At(a.out, ((n * a.outH + oh) * a.outW + ow) * channels);
        if (fast) {
          const p = f32At(image, (oh * a.strideH * a.inW + ow * a.strideW) * channels);
          for (let c = 0; c < vecEnd; c += 4) v128.store(f32At(o, c), max2x2(f32At(p, c), step, rowBytes));
          if (vecEnd < channels) v128.store(f32At(o, channels - 4), max2x2(f32At(p, channels - 4), step, rowBytes));
          continue;
        }
        const w = windowOf(a, oh, ow);
        let c = 0;
        for (; c < vecEnd; c += 4) v128.store(f32At(o, c), windowMax4(a, image, w, c));
        if (c < channels && channels >= 4) {
          v128.store(f32At(o, channels - 4), windowMax4(a, image, w, channels - 4));
          c = channels;
        }
        for (; c < channels; c++) {
          const at = firstMaxAt(a, image, w, c);
          store<f32>(f32At(o, c), at == 0 ? -Infinity : load<f32>(at));
        }
      }
    }
  }
}

/**
 * Channels c..c+3 of one window's gradient: the tap of each lane's first maximum (−1: none), then
 * dy stored there and zero at the window's other taps, or, where windows overlap, dy added there
 * (and zero added elsewhere).
 */
@inline function routeMax4(a: PoolArgs, image: usize, grad: usize, g: usize, w: i64, c: i32, overlapping: bool): void {
  const step = <usize>a.channels << 2;
  const r0 = r0Of(w), r1 = r1Of(w), c0 = c0Of(w), c1 = c1Of(w);
  let value = f32x4.splat(-Infinity);
  let best = i32x4.splat(-1);
  let tap = 0;
  for (let r = r0; r < r1; r++) {
    let p = f32At(image, (r * a.inW + c0) * a.channels + c);
    for (let col = c0; col < c1; col++, p += step, tap++) {
      const v = v128.load(p);
      const greater = f32x4.gt(v, value);
      value = v128.bitselect(v, value, greater);
      best = v128.bitselect(i32x4.splat(tap), best, greater);
    }
  }
  const dy = v128.load(f32At(g, c));
  tap = 0;
  for (let r = r0; r < r1; r++) {
    let p = f32At(grad, (r * a.inW + c0) * a.channels + c);
    for (let col = c0; col < c1; col++, p += step, tap++) {
      const mine = v128.and(dy, i32x4.eq(best, i32x4.splat(tap)));
      v128.store(p, overlapping ? f32x4.add(v128.load(p), mine) : mine);
    }
  }
}

/**
 * routeMax4 for a whole 2×2 window at `p` of the input and `d` of dx, where windows do not overlap:
 * dy stored at the first maximum of each lane, zero at the other three taps.
 */
@inline function route2x2(p: usize, d: usize, dy: v128, step: usize, rowBytes: usize): void {
  let value = f32x4.splat(-Infinity);
  let best = i32x4.splat(-1);
  let v = v128.load(p);
  let greater = f32x4.gt(v, value);
  value = v128.bitselect(v, value, greater);
  best = v128.bitselect(i32x4.splat(0), best, greater);
  v = v128.load(p + step);
  greater = f32x4.gt(v, value);
  value = v128.bitselect(v, value, greater);
  best = v128.bitselect(i32x4.splat(1), best, greater);
  v = v128.load(p + rowBytes);
  greater = f32x4.gt(v, value);
  value = v128.bitselect(v, value, greater);
  best = v128.bitselect(i32x4.splat(2), best, greater);
  v = v128.load(p + rowBytes + step);
  best = v128.bitselect(i32x4.splat(3), best, f32x4.gt(v, value));
  v128.store(d, v128.and(dy, i32x4.eq(best, i32x4.splat(0))));
  v128.store(d + step, v128.and(dy, i32x4.eq(best, i32x4.splat(1))));
  v128.store(d + rowBytes, v128.and(dy, i32x4.eq(best, i32x4.splat(2))));
  v128.store(d + rowBytes + step, v128.and(dy, i32x4.eq(best, i32x4.splat(3))));
}

/** out = dx: each window's dy added at its first maximum. */
export function maxPoolGrad(argsPtr: usize, part: i32, parts: i32): void {
  const a = changetype<PoolArgs>(argsPtr);
  const channels = a.channels;
  const vecEnd = channels & ~3;
  const imageSize = a.inH * a.inW * channels;
  // Windows that do not overlap own their pixels: each is written once instead of added to.
  const overlapping = a.kh > a.strideH || a.kw > a.strideW;
  // Windows that tile the image exactly write every pixel: no need to clear it first.
  const tiling = !overlapping && a.kh == a.strideH && a.kw == a.strideW && a.padTop == 0 && a.padLeft == 0 && a.outH * a.kh == a.inH && a.outW * a.kw == a.inW;
  const fast = whole2x2(a) && !overlapping && channels >= 4;
  const step = <usize>channels << 2;
  const rowBytes = <usize>(a.inW * channels) << 2;
  const n0 = shareStart(a.batch, part, parts);
  const n1 = shareStart(a.batch, part + 1, parts);
  if (!tiling) memory.fill(f32At(a.out, n0 * imageSize), 0, <usize>(n1 - n0) * imageSize << 2);
  for (let n = n0; n < n1; n++) {
    const image = f32At(a.x, n * imageSize);
    const grad = f32At(a.out, n * imageSize);
    for (let oh = 0; oh < a.outH; oh++) {
      for (let ow = 0; ow < a.outW; ow++) {
        if (fast) {
          const at = (oh * a.strideH * a.inW + ow * a.strideW) * channels;
          const p = f32At(image, at);
          const d = f32At(grad, at);
          const g = f32At(a.dy, ((n * a.outH + oh) * a.outW + ow) * channels);
          for (let c = 0; c < vecEnd; c += 4) route2x2(f32At(p, c), f32At(d, c), v128.load(f32At(g, c)), step, rowBytes);
          if (vecEnd < channels) route2x2(f32At(p, channels - 4), f32At(d, channels - 4), v128.load(f32At(g, channels - 4)), step, rowBytes);
          continue;
        }
        const w = windowOf(a, oh, ow);
        const r0 = r0Of(w), r1 = r1Of(w), c0 = c0Of(w), c1 = c1Of(w);
        const g = f32At(a.dy, ((n * a.outH + oh) * a.outW + ow) * channels);
        let c = 0;
        for (; c < vecEnd; c += 4) routeMax4(a, image, grad, g, w, c, overlapping);
        if (c < channels && channels >= 4 && !overlapping) {
          routeMax4(a, image, grad, g, w, channels - 4, false);
          c = channels;
        }
        for (; c < channels; c++) {
          const at = firstMaxAt(a, image, w, c);
          if (tiling) {
            for (let r = r0; r < r1; r++) {
              for (let col = c0; col < c1; col++) store<f32>(f32At(grad, (r * a.inW + col) * channels + c), 0);
            }
          }
          if (at != 0) {
            const p = grad + (at - image);
            store<f32>(p, load<f32>(p) + load<f32>(f32At(g, c)));
          }
        }
      }
    }
  }
}
