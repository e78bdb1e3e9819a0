// AssemblyScript (built by ../build-kernels.mjs into ../compiled.ts). The module imports the
// memory of tfjs-backend-wasm, so every pointer below is a byte offset into a tfjs tensor and no
// data is copied. It must never allocate: no strings, arrays or other static data, which would
// be written into tfjs's heap.
//
// Compressed kernels of a fully connected layer y = x·W, W [nIn, nOut] row-major, keeping only
// the active positions as CSR rows: rowPtr [nIn + 1], cols [nnz], vals [nnz]. Activations are
// transposed ([features, batch]) so that the batch, the longest contiguous axis, is what the
// SIMD lanes run along.

@inline function f32At(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** dst[0..n) += w · src[0..n) */
@inline function axpy(dst: usize, src: usize, w: f32, n: i32): void {
  const ws = f32x4.splat(w);
  const vecEnd = n & ~3;
  let b = 0;
  for (; b < vecEnd; b += 4) {
    const d = f32At(dst, b);
    v128.store(d, f32x4.add(v128.load(d), f32x4.mul(ws, v128.load(f32At(src, b)))));
  }
  for (; b < n; b++) store<f32>(f32At(dst, b), load<f32>(f32At(dst, b)) + w * load<f32>(f32At(src, b)));
}

@inline function zero(dst: usize, n: i32): void {
  const vecEnd = n & ~3;
  let b = 0;
  for (; b < vecEnd; b += 4) v128.store(f32At(dst, b), f32x4.splat(0));
  for (; b < n; b++) store<f32>(f32At(dst, b), 0);
}

/** yT[nOut, batch] = Wᵀ·xT, i.e. y = x·W: every active w[i, j] adds w·xT[i, :] to yT[j, :]. */
export function csrMatMul(rowPtr: usize, cols: usize, vals: usize, nIn: i32, xT: usize, batch: i32, yT: usize, nOut: i32): void {
  zero(yT, nOut * batch);
  for (let i = 0; i < nIn; i++) {
    const end = load<i32>(f32At(rowPtr, i + 1));
    const xRow = f32At(xT, i * batch);
    for (let k = load<i32>(f32At(rowPtr, i)); k < end; k++) {
      axpy(f32At(yT, load<i32>(f32At(cols, k)) * batch), xRow, load<f32>(f32At(vals, k)), batch);
    }
  }
}

/** dxT[nIn, batch] = W·dyT, i.e. dx = dy·Wᵀ: row i gathers w[i, j]·dyT[j, :] over its active j. */
export function csrMatMulTransposed(rowPtr: usize, cols: usize, vals: usize, nIn: i32, dyT: usize, batch: i32, dxT: usize): void {
  for (let i = 0; i < nIn; i++) {
    const dxRow = f32At(dxT, i * batch);
    zero(dxRow, batch);
    const end = load<i32>(f32At(rowPtr, i + 1));
    for (let k = load<i32>(f32At(rowPtr, i)); k < end; k++) {
      axpy(dxRow, f32At(dyT, load<i32>(f32At(cols, k)) * batch), load<f32>(f32At(vals, k)), batch);
    }
  }
}

/** grad[k] = xT[i, :]·dyT[j, :] for the k-th active position (i, j): dW = xᵀ·dy at active positions only. */
export function csrSampledGrad(rowPtr: usize, cols: usize, nIn: i32, xT: usize, dyT: usize, batch: i32, grad: usize): void {
  const vecEnd = batch & ~7;
  for (let i = 0; i < nIn; i++) {
    const xRow = f32At(xT, i * batch);
    const end = load<i32>(f32At(rowPtr, i + 1));
    for (let k = load<i32>(f32At(rowPtr, i)); k < end; k++) {
      const dyRow = f32At(dyT, load<i32>(f32At(cols, k)) * batch);
      let acc0 = f32x4.splat(0);
      let acc1 = f32x4.splat(0);
      let b = 0;
      for (; b < vecEnd; b += 8) {
        acc0 = f32x4.add(acc0, f32x4.mul(v128.load(f32At(xRow, b)), v128.load(f32At(dyRow, b))));
        acc1 = f32x4.add(acc1, f32x4.mul(v128.load(f32At(xRow, b + 4)), v128.load(f32At(dyRow, b + 4))));
      }
      const acc = f32x4.add(acc0, acc1);
      let sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; b < batch; b++) sum += load<f32>(f32At(xRow, b)) * load<f32>(f32At(dyRow, b));
      store<f32>(f32At(grad, k), sum);
    }
  }
}

/** out[c] = Σ_r x[r, c] over a row-major [rows, cols] matrix (a sum over all leading axes). */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize): void {
  zero(out, cols);
  for (let r = 0; r < rows; r++) axpy(out, f32At(x, r * cols), 1, cols);
}
