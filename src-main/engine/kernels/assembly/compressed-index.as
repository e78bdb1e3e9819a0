// What a mask update does to a compressed fully connected kernel (see sparse.as for the layout):
// index its new active positions by row, and carry values (weights, momentum) from the old
// positions to the new ones. Done on the heap where the values already live: on the host these
// loops over every active weight took a quarter of a RigL update.

/**
 * Indexes the active flat positions (increasing, of W [nIn, nOut] row-major) by row: rowPtr
 * [nIn + 1] and cols [nnz].
 */
export function compressedIndex(positions: usize, nnz: i32, nIn: i32, nOut: i32, rowPtr: usize, cols: usize): void {
  memory.fill(rowPtr, 0, <usize>(nIn + 1) << 2);
  let row = 0;
  let rowEnd = nOut;
  for (let k = 0; k < nnz; k++) {
    const p = load<i32>(positions + (<usize>k << 2));
    while (p >= rowEnd) {
      row++;
      rowEnd += nOut;
    }
    store<i32>(cols + (<usize>k << 2), p - (rowEnd - nOut));
    const rowCount = rowPtr + (<usize>(row + 1) << 2);
    store<i32>(rowCount, load<i32>(rowCount) + 1);
  }
  for (let i = 0; i < nIn; i++) {
    const at = rowPtr + (<usize>(i + 1) << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
}

/**
 * out[k] = values[sources[k]], or 0 where sources[k] < 0: values kept one per old active position
 * carried to the new ones (sources: each new position's index among the old ones, −1 for a new
 * position, which starts at zero as masking the dense kernel does).
 */
export function carryValues(values: usize, sources: usize, n: i32, out: usize): void {
  for (let k = 0; k < n; k++) {
    const source = load<i32>(sources + (<usize>k << 2));
    store<f32>(out + (<usize>k << 2), source >= 0 ? load<f32>(values + (<usize>source << 2)) : 0);
  }
}
