/** The row index (CSR, see nn/compressed-weights.ts RowIndex) of a fully connected kernel whose every position is active. */
export interface RowIndexArrays {
  rowPtr: Int32Array;
  cols: Int32Array;
}

const everyPosition = new Map<string, RowIndexArrays>();

/** The index of a dense W [nIn, nOut], made once per shape. */
export function denseRowIndex(nIn: number, nOut: number): RowIndexArrays {
  const key = `${nIn},${nOut}`;
  let index = everyPosition.get(key);
  if (index === undefined) {
    index = {
      rowPtr: Int32Array.from({ length: nIn + 1 }, (_, i) => i * nOut),
      cols: Int32Array.from({ length: nIn * nOut }, (_, k) => k % nOut),
    };
    everyPosition.set(key, index);
  }
  return index;
}
