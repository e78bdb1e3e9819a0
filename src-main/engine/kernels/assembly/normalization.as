// BatchNorm over every axis but the last (channels), on a row-major [rows, C] view, and the
// ReLU gradient. Each pass reads the whole tensor once: moments first (parts sum their share of
// the rows; partial sums kept in f64), then the output, with the per-channel factors folded.
import { ceilDiv, f32At, shareStart } from './memory';

/** Rows summed in float32 before each addition into the float64 totals. */
const BLOCK_ROWS: i32 = 32;

/**
 * Bytes of scratch one part needs for C channels: two f64 totals per channel, then room for
 * three f32 values per channel (block sums while summing, then the folded factors).
 */
export function normalizationScratchBytes(channels: i32): usize {
  return <usize>channels * 28 + 64;
}

@inline function f64At(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

/**
 * Adds Σ_rows a'[r, c] and Σ_rows a'[r, c]·b'[r, c] over rows [r0, r1) into the part's f64
 * totals at `totals` [2][C]. Without b (0): a' = a − a[0, c] and b' = a' (sums shifted by the
 * first row, so that the variance E[a'²] − E[a']² keeps its precision when the mean is large
 * against the spread). With b: a' = a and b' = (b − mean)·invStd.
 */
function moments(a: usize, b: usize, mean: usize, invStd: usize, rows0: i32, rows1: i32, channels: i32, totals: usize, block: usize): void {
  memory.fill(totals, 0, <usize>channels * 16);
  const vecEnd = channels & ~3;
  for (let rb = rows0; rb < rows1; rb += BLOCK_ROWS) {
    memory.fill(block, 0, <usize>channels * 8);
    const rbEnd = min(rows1, rb + BLOCK_ROWS);
    for (let r = rb; r < rbEnd; r++) {
      const ar = f32At(a, r * channels);
      let c = 0;
      for (; c < vecEnd; c += 4) {
        const av = b == 0 ? f32x4.sub(v128.load(f32At(ar, c)), v128.load(f32At(a, c))) : v128.load(f32At(ar, c));
        const second = b == 0 ? av : f32x4.mul(f32x4.sub(v128.load(f32At(f32At(b, r * channels), c)), v128.load(f32At(mean, c))), v128.load(f32At(invStd, c)));
        const s = f32At(block, c);
        const q = f32At(block, channels + c);
        v128.store(s, f32x4.add(v128.load(s), av));
        v128.store(q, f32x4.add(v128.load(q), f32x4.mul(av, second)));
      }
      for (; c < channels; c++) {
        const av = b == 0 ? load<f32>(f32At(ar, c)) - load<f32>(f32At(a, c)) : load<f32>(f32At(ar, c));
        const second = b == 0 ? av : (load<f32>(f32At(f32At(b, r * channels), c)) - load<f32>(f32At(mean, c))) * load<f32>(f32At(invStd, c));
        store<f32>(f32At(block, c), load<f32>(f32At(block, c)) + av);
        store<f32>(f32At(block, channels + c), load<f32>(f32At(block, channels + c)) + av * second);
      }
    }
    for (let c = 0; c < 2 * channels; c++) store<f64>(f64At(totals, c), load<f64>(f64At(totals, c)) + <f64>load<f32>(f32At(block, c)));
  }
}

/** Σ over `parts` parts of total t (0: first sum, 1: second) of channel c. */
@inline function combined(scratch: usize, perPart: usize, parts: i32, channels: i32, t: i32, c: i32): f64 {
  let sum: f64 = 0;
  for (let q = 0; q < parts; q++) sum += load<f64>(f64At(scratch + <usize>q * perPart, t * channels + c));
  return sum;
}

/** Parts sum Σ(x − x₀) and Σ(x − x₀)² over their rows, x₀ the first row (pass 1 of the forward pass). */
export function batchNormMoments(x: usize, rows: i32, channels: i32, scratch: usize, perPart: usize, part: i32, parts: i32): void {
  const at = scratch + <usize>part * perPart;
  moments(x, 0, 0, 0, shareStart(rows, part, parts), shareStart(rows, part + 1, parts), channels, at, at + <usize>channels * 16);
}

/**
 * y = (x − mean)·invStd·γ + β with the batch statistics from batchNormMoments' `momentParts`
 * parts; part 0 also writes mean, the (biased) variance and invStd = 1/√(var + ε).
 */
export function batchNormForward(
  x: usize, rows: i32, channels: i32, scratch: usize, perPart: usize, momentParts: i32,
  gamma: usize, beta: usize, epsilon: f32, y: usize, mean: usize, variance: usize, invStd: usize, part: i32, parts: i32,
): void {
  // This part's per-channel scale and shift, after the totals in its scratch.
  const factors = scratch + <usize>part * perPart + <usize>channels * 16;
  const n: f64 = <f64>rows;
  for (let c = 0; c < channels; c++) {
    // Moments of x − x[0, c] (see moments): the shift returns in the mean only.
    const shifted = combined(scratch, perPart, momentParts, channels, 0, c) / n;
    const m = <f64>load<f32>(f32At(x, c)) + shifted;
    const v = max<f64>(0, combined(scratch, perPart, momentParts, channels, 1, c) / n - shifted * shifted);
    const inv = <f32>(1 / Math.sqrt(v + <f64>epsilon));
    const scale = inv * load<f32>(f32At(gamma, c));
    store<f32>(f32At(factors, c), scale);
    store<f32>(f32At(factors, channels + c), load<f32>(f32At(beta, c)) - <f32>m * scale);
    if (part == 0) {
      store<f32>(f32At(mean, c), <f32>m);
      store<f32>(f32At(variance, c), <f32>v);
      store<f32>(f32At(invStd, c), inv);
    }
  }
  affineRows(x, 0, shareStart(rows, part, parts), shareStart(rows, part + 1, parts), channels, factors, 0, y);
}

/** out[r, c] = a[r, c]·f[c] + x[r, c]·g[c] + h[c] (x = 0: no second term), f, g, h at factors + 0, 2C, C. */
function affineRows(a: usize, x: usize, rows0: i32, rows1: i32, channels: i32, factors: usize, hasX: i32, out: usize): void {
  const vecEnd = channels & ~3;
  for (let r = rows0; r < rows1; r++) {
    const ar = f32At(a, r * channels);
    const xr = f32At(x, r * channels);
    const or = f32At(out, r * channels);
    let c = 0;
    for (; c < vecEnd; c += 4) {
      let v = f32x4.add(f32x4.mul(v128.load(f32At(ar, c)), v128.load(f32At(factors, c))), v128.load(f32At(factors, channels + c)));
      if (hasX) v = f32x4.add(v, f32x4.mul(v128.load(f32At(xr, c)), v128.load(f32At(factors, 2 * channels + c))));
      v128.store(f32At(or, c), v);
    }
    for (; c < channels; c++) {
      let v = load<f32>(f32At(ar, c)) * load<f32>(f32At(factors, c)) + load<f32>(f32At(factors, channels + c));
      if (hasX) v += load<f32>(f32At(xr, c)) * load<f32>(f32At(factors, 2 * channels + c));
      store<f32>(f32At(or, c), v);
    }
  }
}

/** Parts sum Σdy and Σdy·x̂ over their rows (pass 1 of the backward pass), x̂ = (x − mean)·invStd. */
export function batchNormGradMoments(dy: usize, x: usize, rows: i32, channels: i32, mean: usize, invStd: usize, scratch: usize, perPart: usize, part: i32, parts: i32): void {
  const at = scratch + <usize>part * perPart;
  moments(dy, x, mean, invStd, shareStart(rows, part, parts), shareStart(rows, part + 1, parts), channels, at, at + <usize>channels * 16);
}

/**
 * dx = γ·invStd·(dy − Σdy/n − x̂·Σdy·x̂/n), folded per channel into dy·a + x·b + c; part 0 also
 * writes dγ = Σdy·x̂ and dβ = Σdy.
 */
export function batchNormGrad(
  dy: usize, x: usize, rows: i32, channels: i32, scratch: usize, perPart: usize, momentParts: i32,
  mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize, part: i32, parts: i32,
): void {
  const factors = scratch + <usize>part * perPart + <usize>channels * 16;
  const n: f64 = <f64>rows;
  for (let c = 0; c < channels; c++) {
    const sumDy = combined(scratch, perPart, momentParts, channels, 0, c);
    const sumDyXhat = combined(scratch, perPart, momentParts, channels, 1, c);
    const inv: f64 = <f64>load<f32>(f32At(invStd, c));
    const scale: f64 = <f64>load<f32>(f32At(gamma, c)) * inv;
    const xFactor = -scale * inv * sumDyXhat / n;
    store<f32>(f32At(factors, c), <f32>scale);
    store<f32>(f32At(factors, channels + c), <f32>(-scale * sumDy / n - <f64>load<f32>(f32At(mean, c)) * xFactor));
    store<f32>(f32At(factors, 2 * channels + c), <f32>xFactor);
    if (part == 0) {
      store<f32>(f32At(dgamma, c), <f32>sumDyXhat);
      store<f32>(f32At(dbeta, c), <f32>sumDy);
    }
  }
  affineRows(dy, x, shareStart(rows, part, parts), shareStart(rows, part + 1, parts), channels, factors, 1, dx);
}

/** ReLU of four values: 0 where v < 0, else v (NaN and −0 kept, as tfjs's cpu kernel does). */
@inline export function rectify4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(v, f32x4.splat(0)));
}

/** ReLU of one value, as rectify4. */
@inline export function rectify(v: f32): f32 {
  return v < 0 ? 0 : v;
}

/** y = relu(x). Parts split the elements. */
export function relu(x: usize, n: i32, y: usize, part: i32, parts: i32): void {
  const vectors = ceilDiv(n, 4);
  const i0 = shareStart(vectors, part, parts) * 4;
  const i1 = min(n, shareStart(vectors, part + 1, parts) * 4);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(f32At(y, i), rectify4(v128.load(f32At(x, i))));
  for (; i < i1; i++) store<f32>(f32At(y, i), rectify(load<f32>(f32At(x, i))));
}

/** dx = dy where y > 0, else 0 (ReLU's gradient from its output). Parts split the elements. */
export function reluGrad(dy: usize, y: usize, n: i32, dx: usize, part: i32, parts: i32): void {
  const vectors = ceilDiv(n, 4);
  const i0 = shareStart(vectors, part, parts) * 4;
  const i1 = min(n, shareStart(vectors, part + 1, parts) * 4);
  reluGradRun(f32At(dy, i0), f32At(y, i0), i1 - i0, f32At(dx, i0));
}

/** dx[0..n) = dy where y > 0, else 0; dx may be dy. */
@inline export function reluGradRun(dy: usize, y: usize, n: i32, dx: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f32At(dx, i), v128.and(v128.load(f32At(dy, i)), f32x4.gt(v128.load(f32At(y, i)), zero)));
  for (; i < n; i++) store<f32>(f32At(dx, i), load<f32>(f32At(y, i)) > 0 ? load<f32>(f32At(dy, i)) : 0);
}
