// Moving data without arithmetic.
import { f32At, shareStart, ceilDiv } from './memory';

/** v + bias[r] with a bias, v itself without (so that −0 stays −0 in a plain transpose). */
@inline function plusBias(v: f32, bias: usize, r: i32): f32 {
  return bias == 0 ? v : v + load<f32>(f32At(bias, r));
}

@inline function plusBiasVector(v: v128, bias: usize, b: v128): v128 {
  return bias == 0 ? v : f32x4.add(v, b);
}

/** Input columns handled per sweep: keeps the output rows being written few enough to stay in L1. */
const COLUMN_BLOCK: i32 = 64;

/**
 * out[cols, rows] = x[rows, cols]ᵀ (+ bias[r] on every out[c, r] when bias is not 0), 4×4 blocks
 * transposed in registers; parts split the rows of out (so that no two write into the same row).
 */
export function transpose2d(x: usize, rows: i32, cols: i32, out: usize, bias: usize, part: i32, parts: i32): void {
  const blocks = ceilDiv(cols, 4);
  const c0 = shareStart(blocks, part, parts) * 4;
  const c1 = min(cols, shareStart(blocks, part + 1, parts) * 4);
  const inRow = <usize>cols << 2;
  const outRow = <usize>rows << 2;
  for (let cb = c0; cb < c1; cb += COLUMN_BLOCK) {
    const cEnd = min(c1, cb + COLUMN_BLOCK);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const src = f32At(x, r * cols);
      const b = bias == 0 ? f32x4.splat(0) : v128.load(f32At(bias, r));
      let c = cb;
      for (; c + 4 <= cEnd; c += 4) {
        const at = src + (<usize>c << 2);
        const r0v = v128.load(at);
        const r1v = v128.load(at + inRow);
        const r2v = v128.load(at + 2 * inRow);
        const r3v = v128.load(at + 3 * inRow);
        const t0 = v128.shuffle<f32>(r0v, r1v, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r2v, r3v, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0v, r1v, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(r2v, r3v, 2, 6, 3, 7);
        const to = f32At(out, c * rows + r);
        v128.store(to, plusBiasVector(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), bias, b));
        v128.store(to + outRow, plusBiasVector(v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), bias, b));
        v128.store(to + 2 * outRow, plusBiasVector(v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), bias, b));
        v128.store(to + 3 * outRow, plusBiasVector(v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), bias, b));
      }
      for (; c < cEnd; c++) {
        for (let i = 0; i < 4; i++) store<f32>(f32At(out, c * rows + r + i), plusBias(load<f32>(f32At(x, (r + i) * cols + c)), bias, r + i));
      }
    }
    for (; r < rows; r++) {
      for (let c = cb; c < cEnd; c++) store<f32>(f32At(out, c * rows + r), plusBias(load<f32>(f32At(x, r * cols + c)), bias, r));
    }
  }
}
