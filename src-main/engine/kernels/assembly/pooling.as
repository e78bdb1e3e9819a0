// Max pooling over NHWC windows and its gradient, four channels at a time. The gradient goes to
// the first maximum of each window in row-major order (as tfjs's cpu kernel does); windows that
// overlap add up. Parts take whole images, so no two write the same input pixel.
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

/**
 * For output pixel (n, oh, ow) and channels c..c+3: the window maximum and the flat input index
 * where it first occurs (−1 where every value is NaN or −∞), as (max, index) vectors via `best`.
 */
@inline function windowMax(a: PoolArgs, n: i32, oh: i32, ow: i32, c: i32, best: usize): void {
  const top = oh * a.strideH - a.padTop;
  const left = ow * a.strideW - a.padLeft;
  const r0 = max(0, top), r1 = min(a.inH, top + a.kh);
  const c0 = max(0, left), c1 = min(a.inW, left + a.kw);
  let value = f32x4.splat(-Infinity);
  let index = i32x4.splat(-1);
  for (let r = r0; r < r1; r++) {
    for (let col = c0; col < c1; col++) {
      const at = ((n * a.inH + r) * a.inW + col) * a.channels + c;
      const v = v128.load(f32At(a.x, at));
      const greater = f32x4.gt(v, value);
      value = v128.bitselect(v, value, greater);
      index = v128.bitselect(i32x4.add(i32x4.splat(at), i32x4(0, 1, 2, 3)), index, greater);
    }
  }
  v128.store(best, value);
  v128.store(best, index, 16);
}

/** The same for a single channel c: max into best, index into best + 16. */
@inline function windowMaxScalar(a: PoolArgs, n: i32, oh: i32, ow: i32, c: i32, best: usize): void {
  const top = oh * a.strideH - a.padTop;
  const left = ow * a.strideW - a.padLeft;
  let value: f32 = -Infinity;
  let index = -1;
  for (let r = max(0, top), r1 = min(a.inH, top + a.kh); r < r1; r++) {
    for (let col = max(0, left), c1 = min(a.inW, left + a.kw); col < c1; col++) {
      const at = ((n * a.inH + r) * a.inW + col) * a.channels + c;
      const v = load<f32>(f32At(a.x, at));
      if (v > value) {
        value = v;
        index = at;
      }
    }
  }
  store<f32>(best, value);
  store<i32>(best, index, 16);
}

/** Window maxima of channels c.. (4 of them, or the 1 to 3 left at the end) into best: lanes filled. */
@inline function windowMaxAt(a: PoolArgs, n: i32, oh: i32, ow: i32, c: i32, best: usize): i32 {
  if (c + 4 <= a.channels) {
    windowMax(a, n, oh, ow, c, best);
    return 4;
  }
  for (let lane = 0; c + lane < a.channels; lane++) windowMaxScalar(a, n, oh, ow, c + lane, best + <usize>lane * 4);
  return a.channels - c;
}

/** out = max over each window. */
export function maxPool(argsPtr: usize, scratch: usize, perPart: usize, part: i32, parts: i32): void {
  const a = changetype<PoolArgs>(argsPtr);
  const slot = scratch + <usize>part * perPart;
  for (let n = shareStart(a.batch, part, parts), n1 = shareStart(a.batch, part + 1, parts); n < n1; n++) {
    for (let oh = 0; oh < a.outH; oh++) {
      for (let ow = 0; ow < a.outW; ow++) {
        const o = ((n * a.outH + oh) * a.outW + ow) * a.channels;
        for (let c = 0; c < a.channels; c += 4) {
          const lanes = windowMaxAt(a, n, oh, ow, c, slot);
          for (let lane = 0; lane < lanes; lane++) store<f32>(f32At(a.out, o + c + lane), load<f32>(slot + <usize>lane * 4));
        }
      }
    }
  }
}

/** out = dx: each window's dy added at its first maximum. */
export function maxPoolGrad(argsPtr: usize, scratch: usize, perPart: usize, part: i32, parts: i32): void {
  const a = changetype<PoolArgs>(argsPtr);
  const slot = scratch + <usize>part * perPart;
  const n0 = shareStart(a.batch, part, parts);
  const n1 = shareStart(a.batch, part + 1, parts);
  const imageSize = <usize>(a.inH * a.inW * a.channels) << 2;
  memory.fill(f32At(a.out, n0 * a.inH * a.inW * a.channels), 0, <usize>(n1 - n0) * imageSize);
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < a.outH; oh++) {
      for (let ow = 0; ow < a.outW; ow++) {
        const o = ((n * a.outH + oh) * a.outW + ow) * a.channels;
        for (let c = 0; c < a.channels; c += 4) {
          const lanes = windowMaxAt(a, n, oh, ow, c, slot);
          for (let lane = 0; lane < lanes; lane++) {
            const at = load<i32>(slot + 16 + <usize>lane * 4);
            if (at >= 0) store<f32>(f32At(a.out, at), load<f32>(f32At(a.out, at)) + load<f32>(f32At(a.dy, o + c + lane)));
          }
        }
      }
    }
  }
}
