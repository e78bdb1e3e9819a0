// Compressed kernels of a fully connected layer y = x·W, W [nIn, nOut] row-major, keeping only
// its active positions, listed two ways: by row (CSR: rowPtr [nIn + 1], cols [nnz], values in
// this order) and by column (colPtr [nOut + 1], colRows [nnz], colOrder [nnz]: the CSR index of
// each, so the values are stored once). Activations are transposed so that the examples, the
// longest contiguous axis, are what the SIMD lanes run along, and stored by batch chunk
// (memory.as chunkBlock): each chunk of BATCH_CHUNK examples is a [features, lanes] block of its
// own. Parts split the chunks and run pinned, so each thread reads and writes only blocks its
// own earlier kernels of the step wrote, and no two threads share a cache line.
import { chunkBlock, chunkLanes, f32At, partChunks, shareStart } from './memory';

/**
 * out[0..lanes) = Σ_{k ∈ [start, end)} vals[order ? order[k] : k] · src[index[k], 0..lanes), for
 * a row-major src of rows `lanes` long: 32 lanes at a time in registers.
 */
function gatherRow(index: usize, order: usize, vals: usize, start: i32, end: i32, src: usize, lanes: i32, out: usize): void {
  const rowBytes = <usize>lanes << 2;
  let b = 0;
  for (; b + 32 <= lanes; b += 32) {
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
  for (; b + 4 <= lanes; b += 4) {
    let a = f32x4.splat(0);
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(f32At(vals, order ? load<i32>(f32At(order, k)) : k)));
      a = f32x4.add(a, f32x4.mul(w, v128.load(src + <usize>load<i32>(f32At(index, k)) * rowBytes + (<usize>b << 2))));
    }
    v128.store(out + (<usize>b << 2), a);
  }
  for (; b < lanes; b++) {
    let a: f32 = 0;
    for (let k = start; k < end; k++) {
      a += load<f32>(f32At(vals, order ? load<i32>(f32At(order, k)) : k)) * load<f32>(f32At(src + <usize>load<i32>(f32At(index, k)) * rowBytes, b));
    }
    store<f32>(f32At(out, b), a);
  }
}

/** yT = Wᵀ·xT by chunk, i.e. y = x·W: output row j gathers w[i, j]·xT[i, :] over its column's entries. xT is [nIn, batch] and yT [nOut, batch] by chunk. */
export function compressedMatMul(colPtr: usize, colRows: usize, colOrder: usize, vals: usize, nIn: i32, nOut: i32, xT: usize, batch: i32, yT: usize, part: i32, parts: i32): void {
  const chunks = partChunks(batch, part, parts);
  for (let c = <i32>(chunks >> 32); c < <i32>chunks; c++) {
    const lanes = chunkLanes(batch, c);
    const src = chunkBlock(xT, nIn, c);
    const dst = chunkBlock(yT, nOut, c);
    for (let j = 0; j < nOut; j++) {
      gatherRow(colRows, colOrder, vals, load<i32>(f32At(colPtr, j)), load<i32>(f32At(colPtr, j + 1)), src, lanes, f32At(dst, j * lanes));
    }
  }
}

/** dxT = W·dyT by chunk, i.e. dx = dy·Wᵀ: row i gathers w[i, j]·dyT[j, :] over its active j. dyT is [nOut, batch] and dxT [nIn, batch] by chunk. */
export function compressedMatMulTransposed(rowPtr: usize, cols: usize, vals: usize, nIn: i32, nOut: i32, dyT: usize, batch: i32, dxT: usize, part: i32, parts: i32): void {
  const chunks = partChunks(batch, part, parts);
  for (let c = <i32>(chunks >> 32); c < <i32>chunks; c++) {
    const lanes = chunkLanes(batch, c);
    const src = chunkBlock(dyT, nOut, c);
    const dst = chunkBlock(dxT, nIn, c);
    for (let i = 0; i < nIn; i++) {
      gatherRow(cols, 0, vals, load<i32>(f32At(rowPtr, i)), load<i32>(f32At(rowPtr, i + 1)), src, lanes, f32At(dst, i * lanes));
    }
  }
}

/**
 * xRow·yRow over `lanes` floats, summed exactly as dots4 sums each of its four positions (lanes
 * of a 4-wide accumulator, folded (0 + 2) + (1 + 3), then the remainder in order).
 */
@inline function dot(xRow: usize, yRow: usize, lanes: i32): f32 {
  const vecEnd = lanes & ~3;
  let acc = f32x4.splat(0);
  for (let b = 0; b < vecEnd; b += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(f32At(xRow, b)), v128.load(f32At(yRow, b))));
  let sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 2)) + (f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 3));
  for (let b = vecEnd; b < lanes; b++) sum += load<f32>(f32At(xRow, b)) * load<f32>(f32At(yRow, b));
  return sum;
}

/** The lane sums of four accumulators, lane t for the t-th: (a0 + a2) + (a1 + a3) and so on. */
@inline function horizontal4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/** xRow·y0, …, xRow·y3 over `lanes` floats, each summed as dot sums it: four positions share each load of xRow. */
@inline function dots4(xRow: usize, y0: usize, y1: usize, y2: usize, y3: usize, lanes: i32): v128 {
  const vecEnd = lanes & ~3;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let b = 0; b < vecEnd; b += 4) {
    const x = v128.load(f32At(xRow, b));
    a0 = f32x4.add(a0, f32x4.mul(x, v128.load(f32At(y0, b))));
    a1 = f32x4.add(a1, f32x4.mul(x, v128.load(f32At(y1, b))));
    a2 = f32x4.add(a2, f32x4.mul(x, v128.load(f32At(y2, b))));
    a3 = f32x4.add(a3, f32x4.mul(x, v128.load(f32At(y3, b))));
  }
  let sums = horizontal4(a0, a1, a2, a3);
  for (let b = vecEnd; b < lanes; b++) {
    const x = load<f32>(f32At(xRow, b));
    sums = f32x4.add(sums, f32x4(x * load<f32>(f32At(y0, b)), x * load<f32>(f32At(y1, b)), x * load<f32>(f32At(y2, b)), x * load<f32>(f32At(y3, b))));
  }
  return sums;
}

/**
 * xT[i, :]·dyT[j, :] at the k-th active position (i, j): dW = xᵀ·dy at active positions only,
 * each chunk's dot apart, the chunks added in order (xT [nIn, batch] and dyT [nOut, batch] by
 * chunk). Written to partials + part·nnz: with one part that is the gradient; with one part per
 * chunk, sumPartials adds them in the same order, so the numbers do not depend on the number of
 * threads.
 */
export function compressedSampledGrad(rowPtr: usize, cols: usize, nIn: i32, nOut: i32, xT: usize, dyT: usize, batch: i32, partials: usize, part: i32, parts: i32): void {
  const nnz = load<i32>(f32At(rowPtr, nIn));
  const chunks = partChunks(batch, part, parts);
  const c0 = <i32>(chunks >> 32);
  const c1 = <i32>chunks;
  if (c0 >= c1) return;
  const out = f32At(partials, part * nnz);
  for (let c = c0; c < c1; c++) {
    const lanes = chunkLanes(batch, c);
    const xBlock = chunkBlock(xT, nIn, c);
    const yBlock = chunkBlock(dyT, nOut, c);
    for (let i = 0; i < nIn; i++) {
      const end = load<i32>(f32At(rowPtr, i + 1));
      const xRow = f32At(xBlock, i * lanes);
      let k = load<i32>(f32At(rowPtr, i));
      for (; k + 4 <= end; k += 4) {
        const sums = dots4(
          xRow,
          f32At(yBlock, load<i32>(f32At(cols, k)) * lanes),
          f32At(yBlock, load<i32>(f32At(cols, k + 1)) * lanes),
          f32At(yBlock, load<i32>(f32At(cols, k + 2)) * lanes),
          f32At(yBlock, load<i32>(f32At(cols, k + 3)) * lanes),
          lanes,
        );
        const at = f32At(out, k);
        v128.store(at, c == c0 ? sums : f32x4.add(v128.load(at), sums));
      }
      for (; k < end; k++) {
        const sum = dot(xRow, f32At(yBlock, load<i32>(f32At(cols, k)) * lanes), lanes);
        const at = f32At(out, k);
        store<f32>(at, c == c0 ? sum : load<f32>(at) + sum);
      }
    }
  }
}

/** out[k] = ((p₀[k] + p₁[k]) + p₂[k]) + … over `count` partial arrays of n floats, laid end to end. Parts split k. */
export function sumPartials(partials: usize, count: i32, n: i32, out: usize, part: i32, parts: i32): void {
  const vectors = (n + 3) >> 2;
  const k0 = shareStart(vectors, part, parts) << 2;
  const k1 = min(n, shareStart(vectors, part + 1, parts) << 2);
  let k = k0;
  for (; k + 4 <= k1; k += 4) {
    let sum = v128.load(f32At(partials, k));
    for (let c = 1; c < count; c++) sum = f32x4.add(sum, v128.load(f32At(partials, c * n + k)));
    v128.store(f32At(out, k), sum);
  }
  for (; k < k1; k++) {
    let sum = load<f32>(f32At(partials, k));
    for (let c = 1; c < count; c++) sum += load<f32>(f32At(partials, c * n + k));
    store<f32>(f32At(out, k), sum);
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
