// Compressed kernels of a fully connected layer y = x·W, W [nIn, nOut] row-major, keeping only
// its active positions, listed two ways: by row (CSR: rowPtr [nIn + 1], cols [nnz], values in
// this order) and by column (colPtr [nOut + 1], colRows [nnz], colOrder [nnz]: the CSR index of
// each, so the values are stored once). Activations are transposed ([features, batch]) so that
// the batch, the longest contiguous axis, is what the SIMD lanes run along. Every output row is
// summed in registers and written once by one part: parts never write the same cache line
// over and over.
import { f32At, shareStart } from './memory';

/** First index r in [0, count) with ptr[r + 1] > k: the row (or column) holding entry k. */
function ownerOf(ptr: usize, count: i32, k: i32): i32 {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load<i32>(f32At(ptr, mid + 1)) <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows [r0, r1) of `count` whose entries make this part's share of the ptr[count] entries. */
@inline function rowShare(ptr: usize, count: i32, part: i32, parts: i32): i64 {
  const total = load<i32>(f32At(ptr, count));
  const r0 = part == 0 ? 0 : ownerOf(ptr, count, shareStart(total, part, parts));
  const r1 = part + 1 == parts ? count : ownerOf(ptr, count, shareStart(total, part + 1, parts));
  return (<i64>r0 << 32) | <i64>r1;
}

/**
 * out[0..batch) = Σ_{k ∈ [start, end)} vals[order ? order[k] : k] · src[index[k], 0..batch), for
 * a row-major src of rows `batch` long: 32 lanes at a time in registers.
 */
function gatherRow(index: usize, order: usize, vals: usize, start: i32, end: i32, src: usize, batch: i32, out: usize): void {
  const rowBytes = <usize>batch << 2;
  let b = 0;
  for (; b + 32 <= batch; b += 32) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(f32At(vals, order ? load<i32>(f32At(order, k)) : k)));
      const p = src + <usize>load<i32>(f32At(index, k)) * rowBytes + (<usize>b << 2);
      a0 = f32x4.add(a0, f32x4.mul(w, v128.load(p)));
      a1 = f32x4.add(a1, f32x4.mul(w, v128.load(p, 16)));
      a2 = f32x4.add(a2, f32x4.mul(w, v128.load(p, 32)));
      a3 = f32x4.add(a3, f32x4.mul(w, v128.load(p, 48)));
      a4 = f32x4.add(a4, f32x4.mul(w, v128.load(p, 64)));
      a5 = f32x4.add(a5, f32x4.mul(w, v128.load(p, 80)));
      a6 = f32x4.add(a6, f32x4.mul(w, v128.load(p, 96)));
      a7 = f32x4.add(a7, f32x4.mul(w, v128.load(p, 112)));
    }
    const o = out + (<usize>b << 2);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
    v128.store(o, a4, 64);
    v128.store(o, a5, 80);
    v128.store(o, a6, 96);
    v128.store(o, a7, 112);
  }
  for (; b + 4 <= batch; b += 4) {
    let a = f32x4.splat(0);
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(f32At(vals, order ? load<i32>(f32At(order, k)) : k)));
      a = f32x4.add(a, f32x4.mul(w, v128.load(src + <usize>load<i32>(f32At(index, k)) * rowBytes + (<usize>b << 2))));
    }
    v128.store(out + (<usize>b << 2), a);
  }
  for (; b < batch; b++) {
    let a: f32 = 0;
    for (let k = start; k < end; k++) {
      a += load<f32>(f32At(vals, order ? load<i32>(f32At(order, k)) : k)) * load<f32>(f32At(src + <usize>load<i32>(f32At(index, k)) * rowBytes, b));
    }
    store<f32>(f32At(out, b), a);
  }
}

/** yT[nOut, batch] = Wᵀ·xT, i.e. y = x·W: output row j gathers w[i, j]·xT[i, :] over its column's entries. */
export function compressedMatMul(colPtr: usize, colRows: usize, colOrder: usize, vals: usize, nOut: i32, xT: usize, batch: i32, yT: usize, part: i32, parts: i32): void {
  const share = rowShare(colPtr, nOut, part, parts);
  for (let j = <i32>(share >> 32); j < <i32>share; j++) {
    gatherRow(colRows, colOrder, vals, load<i32>(f32At(colPtr, j)), load<i32>(f32At(colPtr, j + 1)), xT, batch, f32At(yT, j * batch));
  }
}

/** dxT[nIn, batch] = W·dyT, i.e. dx = dy·Wᵀ: row i gathers w[i, j]·dyT[j, :] over its active j. */
export function compressedMatMulTransposed(rowPtr: usize, cols: usize, vals: usize, nIn: i32, dyT: usize, batch: i32, dxT: usize, part: i32, parts: i32): void {
  const share = rowShare(rowPtr, nIn, part, parts);
  for (let i = <i32>(share >> 32); i < <i32>share; i++) {
    gatherRow(cols, 0, vals, load<i32>(f32At(rowPtr, i)), load<i32>(f32At(rowPtr, i + 1)), dyT, batch, f32At(dxT, i * batch));
  }
}

/**
 * xRow·yRow over `batch` floats, summed exactly as compressedSampledGrad sums each of four
 * positions at a time (lanes of a 4-wide accumulator, folded (0 + 2) + (1 + 3), then the
 * remainder in order): which positions a part groups must not change a single bit.
 */
@inline function dot(xRow: usize, yRow: usize, batch: i32): f32 {
  const vecEnd = batch & ~3;
  let acc = f32x4.splat(0);
  for (let b = 0; b < vecEnd; b += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(f32At(xRow, b)), v128.load(f32At(yRow, b))));
  let sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 2)) + (f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 3));
  for (let b = vecEnd; b < batch; b++) sum += load<f32>(f32At(xRow, b)) * load<f32>(f32At(yRow, b));
  return sum;
}

/** The lane sums of four accumulators, lane t for the t-th: (a0 + a2) + (a1 + a3) and so on. */
@inline function horizontal4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/**
 * grad[k] = xT[i, :]·dyT[j, :] for the k-th active position (i, j): dW = xᵀ·dy at active
 * positions only. Four positions of a row at a time share each load of xT[i, :].
 */
export function compressedSampledGrad(rowPtr: usize, cols: usize, nIn: i32, xT: usize, dyT: usize, batch: i32, grad: usize, part: i32, parts: i32): void {
  const nnz = load<i32>(f32At(rowPtr, nIn));
  const k0 = shareStart(nnz, part, parts);
  const k1 = shareStart(nnz, part + 1, parts);
  if (k0 >= k1) return;
  const vecEnd = batch & ~3;
  for (let i = ownerOf(rowPtr, nIn, k0); i < nIn; i++) {
    const start = max(k0, load<i32>(f32At(rowPtr, i)));
    const end = min(k1, load<i32>(f32At(rowPtr, i + 1)));
    if (start >= k1) break;
    const xRow = f32At(xT, i * batch);
    let k = start;
    for (; k + 4 <= end; k += 4) {
      const y0 = f32At(dyT, load<i32>(f32At(cols, k)) * batch);
      const y1 = f32At(dyT, load<i32>(f32At(cols, k + 1)) * batch);
      const y2 = f32At(dyT, load<i32>(f32At(cols, k + 2)) * batch);
      const y3 = f32At(dyT, load<i32>(f32At(cols, k + 3)) * batch);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let b = 0; b < vecEnd; b += 4) {
        const x = v128.load(f32At(xRow, b));
        a0 = f32x4.add(a0, f32x4.mul(x, v128.load(f32At(y0, b))));
        a1 = f32x4.add(a1, f32x4.mul(x, v128.load(f32At(y1, b))));
        a2 = f32x4.add(a2, f32x4.mul(x, v128.load(f32At(y2, b))));
        a3 = f32x4.add(a3, f32x4.mul(x, v128.load(f32At(y3, b))));
      }
      let sums = horizontal4(a0, a1, a2, a3);
      for (let b = vecEnd; b < batch; b++) {
        const x = load<f32>(f32At(xRow, b));
        sums = f32x4.add(sums, f32x4(x * load<f32>(f32At(y0, b)), x * load<f32>(f32At(y1, b)), x * load<f32>(f32At(y2, b)), x * load<f32>(f32At(y3, b))));
      }
      v128.store(f32At(grad, k), sums);
    }
    for (; k < end; k++) store<f32>(f32At(grad, k), dot(xRow, f32At(dyT, load<i32>(f32At(cols, k)) * batch), batch));
  }
}

/**
 * out[c] = Σ_r x[r, c] over a row-major [rows, cols] matrix (a sum over all leading axes). Parts
 * split the columns in 16-float (cache line) steps, since each adds into its range once per row.
 */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize, part: i32, parts: i32): void {
  const lines = (cols + 15) >> 4;
  const c0 = shareStart(lines, part, parts) << 4;
  const c1 = min(cols, shareStart(lines, part + 1, parts) << 4);
  if (c0 >= c1) return;
  const width = c1 - c0;
  memory.fill(f32At(out, c0), 0, <usize>width << 2);
  const vecEnd = width & ~3;
  for (let r = 0; r < rows; r++) {
    const src = f32At(x, r * cols + c0);
    const dst = f32At(out, c0);
    let c = 0;
    for (; c < vecEnd; c += 4) v128.store(f32At(dst, c), f32x4.add(v128.load(f32At(dst, c)), v128.load(f32At(src, c))));
    for (; c < width; c++) store<f32>(f32At(dst, c), load<f32>(f32At(dst, c)) + load<f32>(f32At(src, c)));
  }
}
