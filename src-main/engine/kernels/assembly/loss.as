// Softmax cross-entropy of a batch against labels smoothed by ε, in one pass per row: the loss,
// how many rows the arg-max gets right, and dL/dlogits. AssemblyScript's own exp and log keep
// lookup tables in static data (which the kernels must not have), so these two are written here.

import { BATCH_CHUNK, chunkBlock, chunkLanes } from './memory';

const LN2: f32 = 0.6931471805599453;
const LOG2E: f32 = 1.4426950408889634;

/** e^x for x ≤ 0 (what a softmax shifted by its maximum needs): 2^n·2^f, 2^f = e^(f·ln 2) by its Taylor series to the 8th power (error < 1e-7). */
@inline function expNonPositive(x: f32): f32 {
  const t = x * LOG2E;
  if (t < -126) return 0;
  const n = Mathf.floor(t);
  const f = (t - n) * LN2;
  const p: f32 = 1 + f * (1 + f * (0.5 + f * (0.16666667 + f * (0.041666668 + f * (0.008333334 + f * (0.0013888889 + f * (0.0001984127 + f * 0.0000248016)))))));
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

/** expNonPositive on four lanes, with the same operations in the same order (so the same bits). */
@inline function expNonPositive4(x: v128): v128 {
  const t = f32x4.mul(x, f32x4.splat(LOG2E));
  const n = f32x4.floor(t);
  const f = f32x4.mul(f32x4.sub(t, n), f32x4.splat(LN2));
  let p = f32x4.add(f32x4.splat(0.0001984127), f32x4.mul(f, f32x4.splat(0.0000248016)));
  p = f32x4.add(f32x4.splat(0.0013888889), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(0.008333334), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(0.041666668), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(0.16666667), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(0.5), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(f, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(f, p));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, scale), f32x4.lt(t, f32x4.splat(-126)));
}

/** ln x for x ≥ 1 (a sum of shifted exponentials, one of them e⁰): e·ln 2 + 2·atanh(z), z = (m − 1)/(m + 1) ≤ 1/3 for m ∈ [1, 2), the series to z¹¹ (error < 1e-7). */
@inline function logAtLeastOne(x: f32): f32 {
  const bits = reinterpret<i32>(x);
  const e = (bits >> 23) - 127;
  const m = reinterpret<f32>((bits & 0x007fffff) | 0x3f800000);
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  return <f32>e * LN2 + 2 * z * (1 + z2 * (0.33333334 + z2 * (0.2 + z2 * (0.14285715 + z2 * (0.11111111 + z2 * 0.09090909)))));
}

/**
 * logits [batch, classes], labels int32 [batch]; writes the mean loss, the count of correct
 * arg-maxes and dLogits [batch, classes] = (softmax − targets)/batch with targets
 * (1 − ε)·onehot + ε/K. With `rowScratch` (2·classes floats) not 0, logits and dLogits are
 * [classes, batch] stored by batch chunk (memory.as chunkBlock), as a compressed output layer
 * leaves them: each example's logits are copied to the scratch row and its gradient row copied
 * back, so the arithmetic, and so the numbers, are those of the batch-major layout.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, batch: i32, classes: i32, smoothing: f32, lossOut: usize, correctOut: usize, dLogits: usize, rowScratch: usize): void {
  const off: f32 = smoothing / <f32>classes;
  const on: f32 = 1 - smoothing + off;
  const inverseBatch: f32 = 1 / <f32>batch;
  let loss: f64 = 0;
  let correct = 0;
  for (let r = 0; r < batch; r++) {
    let row = logits + (<usize>(r * classes) << 2);
    let grad = dLogits + (<usize>(r * classes) << 2);
    // In batch chunks, example r's logit k is at byte column + k·stride of logits and of dLogits.
    let column: usize = 0;
    let stride: usize = 0;
    if (rowScratch != 0) {
      const chunk = r / BATCH_CHUNK;
      column = chunkBlock(0, classes, chunk) + (<usize>(r - chunk * BATCH_CHUNK) << 2);
      stride = <usize>chunkLanes(batch, chunk) << 2;
      row = rowScratch;
      grad = rowScratch + (<usize>classes << 2);
      for (let k = 0; k < classes; k++) store<f32>(row + (<usize>k << 2), load<f32>(logits + column + <usize>k * stride));
    }
    const label = load<i32>(labels + (<usize>r << 2));
    let top = load<f32>(row);
    let best = 0;
    for (let k = 1; k < classes; k++) {
      const v = load<f32>(row + (<usize>k << 2));
      if (v > top) {
        top = v;
        best = k;
      }
    }
    if (best == label) correct++;
    // The shifted exponentials, four at a time, parked in the gradient's row, then summed in order.
    let k = 0;
    for (; k + 4 <= classes; k += 4) {
      v128.store(grad + (<usize>k << 2), expNonPositive4(f32x4.sub(v128.load(row + (<usize>k << 2)), f32x4.splat(top))));
    }
    for (; k < classes; k++) store<f32>(grad + (<usize>k << 2), expNonPositive(load<f32>(row + (<usize>k << 2)) - top));
    let sum: f32 = 0;
    for (k = 0; k < classes; k++) sum += load<f32>(grad + (<usize>k << 2));
    const logSum = top + logAtLeastOne(sum);
    let rowLoss: f32 = 0;
    for (k = 0; k < classes; k++) rowLoss -= (k == label ? on : off) * (load<f32>(row + (<usize>k << 2)) - logSum);
    for (k = 0; k + 4 <= classes; k += 4) {
      const lanes = i32x4.add(i32x4.splat(k), i32x4(0, 1, 2, 3));
      const target = v128.bitselect(f32x4.splat(on), f32x4.splat(off), i32x4.eq(lanes, i32x4.splat(label)));
      const probability = expNonPositive4(f32x4.sub(v128.load(row + (<usize>k << 2)), f32x4.splat(logSum)));
      v128.store(grad + (<usize>k << 2), f32x4.mul(f32x4.sub(probability, target), f32x4.splat(inverseBatch)));
    }
    for (; k < classes; k++) {
      const target = k == label ? on : off;
      store<f32>(grad + (<usize>k << 2), (expNonPositive(load<f32>(row + (<usize>k << 2)) - logSum) - target) * inverseBatch);
    }
    loss += rowLoss;
    if (rowScratch != 0) for (k = 0; k < classes; k++) store<f32>(dLogits + column + <usize>k * stride, load<f32>(grad + (<usize>k << 2)));
  }
  store<f32>(lossOut, <f32>(loss / <f64>batch));
  store<f32>(correctOut, <f32>correct);
}
