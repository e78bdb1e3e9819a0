// Softmax cross-entropy of a batch against labels smoothed by ε, in one pass per row: the loss,
// how many rows the arg-max gets right, and dL/dlogits. AssemblyScript's own exp and log keep
// lookup tables in static data (which the kernels must not have), so these two are written here.

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
 * (1 − ε)·onehot + ε/K.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, batch: i32, classes: i32, smoothing: f32, lossOut: usize, correctOut: usize, dLogits: usize): void {
  const off: f32 = smoothing / <f32>classes;
  const on: f32 = 1 - smoothing + off;
  const inverseBatch: f32 = 1 / <f32>batch;
  let loss: f64 = 0;
  let correct = 0;
  for (let r = 0; r < batch; r++) {
    const row = logits + (<usize>(r * classes) << 2);
    const grad = dLogits + (<usize>(r * classes) << 2);
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
    let sum: f32 = 0;
    for (let k = 0; k < classes; k++) sum += expNonPositive(load<f32>(row + (<usize>k << 2)) - top);
    const logSum = top + logAtLeastOne(sum);
    let rowLoss: f32 = 0;
    for (let k = 0; k < classes; k++) {
      const logProb = load<f32>(row + (<usize>k << 2)) - logSum;
      const target = k == label ? on : off;
      rowLoss -= target * logProb;
      store<f32>(grad + (<usize>k << 2), (expNonPositive(logProb) - target) * inverseBatch);
    }
    loss += rowLoss;
  }
  store<f32>(lossOut, <f32>(loss / <f64>batch));
  store<f32>(correctOut, <f32>correct);
}
