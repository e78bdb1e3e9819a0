// Moving data without arithmetic.
import { f32At, shareStart, ceilDiv } from './memory';

/** Input columns handled per sweep: keeps the output rows being written few enough to stay in L1. */
const COLUMN_BLOCK: i32 = 64;

/**
 * out[cols, rows] = x[rows, cols]ᵀ, 4×4 blocks transposed in registers; parts split the rows of
 * out (so that no two write into the same row).
 */
export function transpose2d(x: usize, rows: i32, cols: i32, out: usize, part: i32, parts: i32): void {
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
        v128.store(to, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(to + outRow, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(to + 2 * outRow, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(to + 3 * outRow, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (; c < cEnd; c++) {
        for (let i = 0; i < 4; i++) store<f32>(f32At(out, c * rows + r + i), load<f32>(f32At(x, (r + i) * cols + c)));
      }
    }
    for (; r < rows; r++) {
      for (let c = cb; c < cEnd; c++) store<f32>(f32At(out, c * rows + r), load<f32>(f32At(x, r * cols + c)));
    }
  }
}
