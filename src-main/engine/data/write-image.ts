/** Padding of the CIFAR augmentation: a random 32×32 crop of the image padded by 4 pixels. */
export const CROP_PADDING = 4;

/**
 * Writes one image of `shape` from `source` (bytes at `sourceOffset`) into `out` at `outOffset`,
 * normalised through `table` (see normalizationTable). Output pixel (y, x) takes source pixel
 * (y + dy, x + dx), mirrored left-right first when `flip`; outside the source it is 0, the
 * normalised mean. With |dy|, |dx| ≤ CROP_PADDING this is the padded random crop, then the flip.
 */
export function writeImage(
  source: Uint8Array,
  sourceOffset: number,
  shape: readonly [number, number, number],
  table: Float32Array,
  out: Float32Array,
  outOffset: number,
  dy: number,
  dx: number,
  flip: boolean,
): void {
  const [height, width, channels] = shape;
  const rowLength = width * channels;
  if (dy === 0 && dx === 0 && !flip) {
    // No augmentation: one pass over the image, a table look-up per value.
    const n = height * rowLength;
    if (channels === 1) {
      for (let i = 0; i < n; i++) out[outOffset + i] = table[source[sourceOffset + i]!]!;
    } else {
      for (let i = 0, c = 0; i < n; i++) {
        out[outOffset + i] = table[c * 256 + source[sourceOffset + i]!]!;
        if (++c === channels) c = 0;
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    const rowOut = outOffset + y * rowLength;
    if (sy < 0 || sy >= height) {
      out.fill(0, rowOut, rowOut + rowLength);
      continue;
    }
    const rowIn = sourceOffset + sy * rowLength;
    for (let x = 0; x < width; x++) {
      const sx = (flip ? width - 1 - x : x) + dx;
      const o = rowOut + x * channels;
      if (sx < 0 || sx >= width) {
        out.fill(0, o, o + channels);
        continue;
      }
      const i = rowIn + sx * channels;
      for (let c = 0; c < channels; c++) out[o + c] = table[c * 256 + source[i + c]!]!;
    }
  }
}
