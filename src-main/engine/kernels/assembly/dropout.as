// Inverted dropout with a counter-based generator: element i is kept when its uniform number
// u(seed, i) exceeds the rate, so any part can draw any element's number, and a run draws the
// same masks whatever the number of threads. The backward pass draws the same mask again from
// the seed instead of keeping it (WRN's masks were as large as the activations they drop).
import { ceilDiv, f32At, shareStart } from './memory';

/** Chris Wellons' lowbias32 integer hash (good avalanche, 2 multiplies). */
@inline function mix(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

@inline function mixVector(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/**
 * y = x·mask with mask[i] = u > rate ? 1/(1 − rate) : 0 and u = (hash(i + hash(seed)) >> 8)·2⁻²⁴
 * in [0, 1): the forward pass, and with dL/dy as x and the same seed, the backward. Parts split
 * the elements.
 */
export function dropout(x: usize, n: i32, rate: f32, seed: u32, y: usize, part: i32, parts: i32): void {
  const vectors = ceilDiv(n, 4);
  const i0 = shareStart(vectors, part, parts) * 4;
  const i1 = min(n, shareStart(vectors, part + 1, parts) * 4);
  const key = mix(seed);
  const scale: f32 = 1 / (1 - rate);
  const unit: f32 = 1.0 / 16777216.0;
  const rates = f32x4.splat(rate);
  const scales = f32x4.splat(scale);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const h = mixVector(i32x4.add(i32x4.splat(<i32>(<u32>i + key)), i32x4(0, 1, 2, 3)));
    const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), f32x4.splat(unit));
    const m = v128.and(scales, f32x4.gt(u, rates));
    v128.store(f32At(y, i), f32x4.mul(v128.load(f32At(x, i)), m));
  }
  for (; i < i1; i++) {
    const u = <f32>(mix(<u32>i + key) >>> 8) * unit;
    const m: f32 = u > rate ? scale : 0;
    store<f32>(f32At(y, i), load<f32>(f32At(x, i)) * m);
  }
}
