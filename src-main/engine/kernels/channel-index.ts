import { perShape } from './per-shape.js';

/**
 * The index by output channel of active positions of a conv filter [kh, kw, inC, outC] (flat,
 * increasing), for kernels/assembly/sparse-conv.as: where each channel's entries start
 * (channelPtr [outC + 1]), and for each entry its tap row (y·kw + x)·inC + c (rows) and its index
 * among the positions (order). Sorted with a counting sort, which keeps the position order within
 * a channel.
 */
export interface ChannelIndexArrays {
  channelPtr: Int32Array;
  rows: Int32Array;
  order: Int32Array;
}

export function channelIndexArrays(outC: number, positions: ArrayLike<number>): ChannelIndexArrays {
  const channelPtr = new Int32Array(outC + 1);
  for (let k = 0; k < positions.length; k++) channelPtr[(positions[k]! % outC) + 1]!++;
  for (let c = 0; c < outC; c++) channelPtr[c + 1]! += channelPtr[c]!;
  const next = channelPtr.slice(0, outC);
  const rows = new Int32Array(positions.length);
  const order = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    const p = positions[k]!;
    const at = next[p % outC]!++;
    rows[at] = Math.floor(p / outC);
    order[at] = k;
  }
  return { channelPtr, rows, order };
}

/** The index of a dense filter of this shape, every position active. */
export const denseChannelIndex = perShape((filterShape): ChannelIndexArrays => {
  const size = filterShape.reduce((a, b) => a * b, 1);
  return channelIndexArrays(filterShape[3]!, Array.from({ length: size }, (_, p) => p));
});
