// Compressed kernels of a fully connected layer y = x·W, W [nIn, nOut] row-major, keeping only
// its active positions, listed by row (CSR: rowPtr [nIn + 1], cols [nnz], values in this order).
// Activations are transposed so that the examples, the longest contiguous axis, are what the
// SIMD lanes run along, and stored by batch chunk (memory.as chunkBlock): each chunk of
// BATCH_CHUNK examples is a [features, lanes] block of its own. Parts split the chunks and run
// pinned, so each thread reads and writes only blocks its own earlier kernels of the step wrote,
// and no two threads share a cache line.
import { BATCH_CHUNK, ceilDiv, chunkBlock, chunkLanes, f32At, laneSum, partChunks, shareStart } from './memory';
import { transposeToChunk } from './layout';
import { rectify, rectify4, reluGradRun } from './normalization';

/**
 * out[0..lanes) = Σ_{k ∈ [start, end)} vals[k] · src[index[k], 0..lanes), for a row-major src of
 * rows `lanes` long: 32 lanes at a time in registers.
 */
function gatherRow(index: usize, vals: usize, start: i32, end: i32, src: usize, lanes: i32, out: usize): void {
  const rowBytes = <usize>lanes << 2;
  let b = 0;
  for (; b + 32 <= lanes; b += 32) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    for (let k = start; k < end; k++) {
      const w = f32x4.splat(load<f32>(f32At(vals, k)));
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
      a = f32x4.add(a, f32x4.mul(f32x4.splat(load<f32>(f32At(vals, k))), v128.load(src + <usize>load<i32>(f32At(index, k)) * rowBytes + (<usize>b << 2))));
    }
    v128.store(out + (<usize>b << 2), a);
  }
  for (; b < lanes; b++) {
    let a: f32 = 0;
    for (let k = start; k < end; k++) {
      a += load<f32>(f32At(vals, k)) * load<f32>(f32At(src + <usize>load<i32>(f32At(index, k)) * rowBytes, b));
    }
    store<f32>(f32At(out, b), a);
  }
}

/** yRow[0..lanes) += w · xRow[0..lanes) */
@inline function addScaledRow(yRow: usize, w: f32, xRow: usize, lanes: i32): void {
  const wv = f32x4.splat(w);
  let b = 0;
  for (; b + 4 <= lanes; b += 4) {
    const y = f32At(yRow, b);
    v128.store(y, f32x4.add(v128.load(y), f32x4.mul(wv, v128.load(f32At(xRow, b)))));
  }
  for (; b < lanes; b++) store<f32>(f32At(yRow, b), load<f32>(f32At(yRow, b)) + w * load<f32>(f32At(xRow, b)));
}

/**
 * block[j, 0..lanes) += bias[j] (bias not 0) for the rows of a [rows, lanes] block, then, with
 * `relu`, the ReLU kernel's arithmetic (normalization.as rectify).
 */
function finishRows(block: usize, rows: i32, lanes: i32, bias: usize, relu: bool): void {
  for (let j = 0; j < rows; j++) {
    const row = f32At(block, j * lanes);
    const b = bias == 0 ? <f32>0 : load<f32>(f32At(bias, j));
    const bv = f32x4.splat(b);
    let l = 0;
    for (; l + 4 <= lanes; l += 4) {
      let v = v128.load(f32At(row, l));
      if (bias != 0) v = f32x4.add(v, bv);
      if (relu) v = rectify4(v);
      v128.store(f32At(row, l), v);
    }
    for (; l < lanes; l++) {
      let v = load<f32>(f32At(row, l));
      if (bias != 0) v += b;
      if (relu) v = rectify(v);
      store<f32>(f32At(row, l), v);
    }
  }
}

/**
 * yT = Wᵀ·xT (+ bias[j] on row j when bias is not 0) by chunk, i.e. y = x·W + b: each input row
 * of a chunk is read once, held in registers, and added into the output rows of its active
 * weights, which stay in L1 (a gather over W's columns read the input rows in scattered order,
 * from L2). Output row j receives its terms in increasing i from 0, then the bias, then with
 * `relu` the ReLU. xT is [nIn, batch] and yT [nOut, batch] by chunk; when x is not 0, each chunk
 * of xT is first transposed from x [batch, nIn] (while the chunk is in this core's cache).
 */
export function compressedMatMul(rowPtr: usize, cols: usize, vals: usize, bias: usize, relu: i32, nIn: i32, nOut: i32, x: usize, xT: usize, batch: i32, yT: usize, part: i32, parts: i32): void {
  const chunks = partChunks(batch, part, parts);
  for (let c = <i32>(chunks >> 32); c < <i32>chunks; c++) {
    if (x != 0) transposeToChunk(x, batch, nIn, xT, c);
    const lanes = chunkLanes(batch, c);
    const src = chunkBlock(xT, nIn, c);
    const dst = chunkBlock(yT, nOut, c);
    const rowBytes = <usize>lanes << 2;
    memory.fill(dst, 0, <usize>nOut * rowBytes);
    for (let i = 0; i < nIn; i++) {
      const xRow = src + <usize>i * rowBytes;
      const end = load<i32>(f32At(rowPtr, i + 1));
      let k = load<i32>(f32At(rowPtr, i));
      if (lanes == 32) {
        const x0 = v128.load(xRow), x1 = v128.load(xRow, 16), x2 = v128.load(xRow, 32), x3 = v128.load(xRow, 48);
        const x4 = v128.load(xRow, 64), x5 = v128.load(xRow, 80), x6 = v128.load(xRow, 96), x7 = v128.load(xRow, 112);
        for (; k < end; k++) {
          const w = f32x4.splat(load<f32>(f32At(vals, k)));
          const y = dst + <usize>load<i32>(f32At(cols, k)) * rowBytes;
          v128.store(y, f32x4.add(v128.load(y), f32x4.mul(w, x0)));
          v128.store(y, f32x4.add(v128.load(y, 16), f32x4.mul(w, x1)), 16);
          v128.store(y, f32x4.add(v128.load(y, 32), f32x4.mul(w, x2)), 32);
          v128.store(y, f32x4.add(v128.load(y, 48), f32x4.mul(w, x3)), 48);
          v128.store(y, f32x4.add(v128.load(y, 64), f32x4.mul(w, x4)), 64);
          v128.store(y, f32x4.add(v128.load(y, 80), f32x4.mul(w, x5)), 80);
          v128.store(y, f32x4.add(v128.load(y, 96), f32x4.mul(w, x6)), 96);
          v128.store(y, f32x4.add(v128.load(y, 112), f32x4.mul(w, x7)), 112);
        }
      } else {
        for (; k < end; k++) addScaledRow(dst + <usize>load<i32>(f32At(cols, k)) * rowBytes, load<f32>(f32At(vals, k)), xRow, lanes);
      }
    }
    if (bias != 0 || relu != 0) finishRows(dst, nOut, lanes, bias, relu != 0);
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
  let sum = laneSum(acc);
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
 * out[k] (+)= xBlock[i, :]·yBlock[j, :] at the k-th active position (i, j) of one chunk: written
 * when `first`, else added to.
 */
function sampledGradChunk(rowPtr: usize, cols: usize, nIn: i32, xBlock: usize, yBlock: usize, lanes: i32, out: usize, first: bool): void {
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
      v128.store(at, first ? sums : f32x4.add(v128.load(at), sums));
    }
    for (; k < end; k++) {
      const sum = dot(xRow, f32At(yBlock, load<i32>(f32At(cols, k)) * lanes), lanes);
      const at = f32At(out, k);
      store<f32>(at, first ? sum : load<f32>(at) + sum);
    }
  }
}

/**
 * The backward pass of a compressed layer on its chunks, both products in one pass over each:
 * when partials is not 0, dW = xᵀ·dy at the active positions, each chunk's dots apart and the
 * chunks added in order, written to partials + part·nnz (with one part that is the gradient; with
 * one part per chunk, sumPartials adds them in the same order, so the numbers do not depend on
 * the number of threads); when dxT is not 0, dxT = W·dyT, i.e. dx = dy·Wᵀ, row i gathering
 * w[i, j]·dyT[j, :] over its active j, and with `reluInput` not 0 only where xT > 0 (x being a
 * ReLU's output, dxT is then the gradient of the ReLU's input, as reluGrad would make it). xT
 * [nIn, batch], dyT [nOut, batch] and dxT [nIn, batch] are stored by chunk.
 */
export function compressedGrads(
  rowPtr: usize, cols: usize, vals: usize, nIn: i32, nOut: i32, xT: usize, dyT: usize, batch: i32, partials: usize, dxT: usize, reluInput: i32,
  part: i32, parts: i32,
): void {
  const nnz = load<i32>(f32At(rowPtr, nIn));
  const chunks = partChunks(batch, part, parts);
  const c0 = <i32>(chunks >> 32);
  for (let c = c0; c < <i32>chunks; c++) {
    const lanes = chunkLanes(batch, c);
    const yBlock = chunkBlock(dyT, nOut, c);
    if (partials != 0) sampledGradChunk(rowPtr, cols, nIn, chunkBlock(xT, nIn, c), yBlock, lanes, f32At(partials, part * nnz), c == c0);
    if (dxT == 0) continue;
    const dst = chunkBlock(dxT, nIn, c);
    const xBlock = chunkBlock(xT, nIn, c);
    for (let i = 0; i < nIn; i++) {
      gatherRow(cols, vals, load<i32>(f32At(rowPtr, i)), load<i32>(f32At(rowPtr, i + 1)), yBlock, lanes, f32At(dst, i * lanes));
      if (reluInput != 0) reluGradRun(f32At(dst, i * lanes), f32At(xBlock, i * lanes), lanes, f32At(dst, i * lanes));
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
 * out[c] = Σ_r x[r, c] over a row-major [rows, cols] matrix (a sum over all leading axes), each
 * column summed over the rows in order from 0. Parts split the columns in 16-float (cache line)
 * steps. Each block of up to 16 columns is summed in registers in one pass over the rows.
 */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize, part: i32, parts: i32): void {
  const lines = (cols + 15) >> 4;
  const c1 = min(cols, shareStart(lines, part + 1, parts) << 4);
  for (let c = shareStart(lines, part, parts) << 4; c < c1; c += 16) sumRowBlock(x, rows, cols, out, c, min(c1, c + 16));
}

/**
 * Columns [c, end) of sumRows, at most 16. Four vectors of columns, the last ones starting at
 * end − 4 where the block is not a multiple of four: a column that two vectors hold gets the same
 * sum in both (the same values added in the same order), so both stores write the same number.
 * A block of fewer than four columns is summed one column at a time.
 */
@inline function sumRowBlock(x: usize, rows: i32, cols: i32, out: usize, c: i32, end: i32): void {
  const rowBytes = <usize>cols << 2;
  if (end - c < 4) {
    for (let j = c; j < end; j++) {
      let sum: f32 = 0;
      let p = f32At(x, j);
      for (let r = 0; r < rows; r++, p += rowBytes) sum += load<f32>(p);
      store<f32>(f32At(out, j), sum);
    }
    return;
  }
  const s1 = min(c + 4, end - 4), s2 = min(c + 8, end - 4), s3 = min(c + 12, end - 4);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let p = f32At(x, c);
  const o1 = <usize>(s1 - c) << 2, o2 = <usize>(s2 - c) << 2, o3 = <usize>(s3 - c) << 2;
  for (let r = 0; r < rows; r++, p += rowBytes) {
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p + o1));
    a2 = f32x4.add(a2, v128.load(p + o2));
    a3 = f32x4.add(a3, v128.load(p + o3));
  }
  v128.store(f32At(out, c), a0);
  v128.store(f32At(out, s1), a1);
  v128.store(f32At(out, s2), a2);
  v128.store(f32At(out, s3), a3);
}

/**
 * out[j] = Σ_b xT[j, b] over a [rows, batch] matrix stored by batch chunk, each sum taken in
 * batch order from 0, as sumRows takes it over the same matrix batch-major. Four rows at a time
 * through a 4×4 register transpose; parts split the rows in cache lines of out.
 */
export function sumChunkRows(xT: usize, rows: i32, batch: i32, out: usize, part: i32, parts: i32): void {
  const lines = (rows + 15) >> 4;
  const j1 = min(rows, shareStart(lines, part + 1, parts) << 4);
  const chunks = ceilDiv(batch, BATCH_CHUNK);
  let j = shareStart(lines, part, parts) << 4;
  for (; j + 4 <= j1; j += 4) {
    let acc = f32x4.splat(0);
    for (let c = 0; c < chunks; c++) {
      const lanes = chunkLanes(batch, c);
      const rowBytes = <usize>lanes << 2;
      const first = f32At(chunkBlock(xT, rows, c), j * lanes);
      let b = 0;
      for (; b + 4 <= lanes; b += 4) {
        const at = f32At(first, b);
        const v0 = v128.load(at);
        const v1 = v128.load(at + rowBytes);
        const v2 = v128.load(at + 2 * rowBytes);
        const v3 = v128.load(at + 3 * rowBytes);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        acc = f32x4.add(acc, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        acc = f32x4.add(acc, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        acc = f32x4.add(acc, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        acc = f32x4.add(acc, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (; b < lanes; b++) {
        const at = f32At(first, b);
        acc = f32x4.add(acc, f32x4(load<f32>(at), load<f32>(at + rowBytes), load<f32>(at + 2 * rowBytes), load<f32>(at + 3 * rowBytes)));
      }
    }
    v128.store(f32At(out, j), acc);
  }
  for (; j < j1; j++) {
    let sum: f32 = 0;
    for (let c = 0; c < chunks; c++) {
      const lanes = chunkLanes(batch, c);
      const row = f32At(chunkBlock(xT, rows, c), j * lanes);
      for (let b = 0; b < lanes; b++) sum += load<f32>(f32At(row, b));
    }
    store<f32>(f32At(out, j), sum);
  }
}
