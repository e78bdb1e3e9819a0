import { perShape } from './per-shape.js';

/** The row index (CSR, see nn/compressed-weights.ts RowIndex) of a fully connected kernel's active positions. */
export interface RowIndexArrays {
  rowPtr: Int32Array;
  cols: Int32Array;
}

/** The index of a dense W [nIn, nOut], every position active. */
export const denseRowIndex = perShape(([nIn, nOut]): RowIndexArrays => ({
  rowPtr: Int32Array.from({ length: nIn! + 1 }, (_, i) => i * nOut!),
  cols: Int32Array.from({ length: nIn! * nOut! }, (_, k) => k % nOut!),
}));
