// Training batches assembled on the heap: each row's image is read from a copy of the training
// set's bytes, cropped and flipped as its plan says, and normalised through a per-channel table,
// straight into the input tensor. The same arithmetic as data/write-image.ts, without the upload.
import { chunkStart, f32At } from './memory';

/**
 * out [batch, height, width, channels] (float32) from `images` (bytes, imageBytes per example);
 * plan: examples int32 [batch], shifts int32 [batch, 3] = (dy, dx, flip). Output pixel (y, x)
 * takes source pixel (y + dy, x' + dx) with x' = width − 1 − x when flipped, else x; outside the
 * source it is 0. table [channels · 256] holds the normalised value of each byte. Parts split the
 * batch in chunks (memory.as chunkStart), run pinned like the kernels that read the batch next.
 */
export function assembleBatch(
  images: usize, height: i32, width: i32, channels: i32, table: usize, examples: usize, shifts: usize,
  batch: i32, out: usize, part: i32, parts: i32,
): void {
  const rowLength = width * channels;
  const imageBytes = height * rowLength;
  for (let r = chunkStart(batch, part, parts), end = chunkStart(batch, part + 1, parts); r < end; r++) {
    const source = images + <usize>load<i32>(examples + (<usize>r << 2)) * <usize>imageBytes;
    const dy = load<i32>(shifts + <usize>(r * 12));
    const dx = load<i32>(shifts + <usize>(r * 12), 4);
    const flip = load<i32>(shifts + <usize>(r * 12), 8) != 0;
    const target = f32At(out, r * imageBytes);
    if (dy == 0 && dx == 0 && !flip) {
      if (channels == 1) {
        for (let i = 0; i < imageBytes; i++) store<f32>(f32At(target, i), load<f32>(table + (<usize>load<u8>(source + <usize>i) << 2)));
      } else {
        for (let i = 0, c = 0; i < imageBytes; i++) {
          store<f32>(f32At(target, i), load<f32>(f32At(table, (c << 8) + <i32>load<u8>(source + <usize>i))));
          if (++c == channels) c = 0;
        }
      }
      continue;
    }
    for (let y = 0; y < height; y++) {
      const sy = y + dy;
      const rowOut = f32At(target, y * rowLength);
      if (sy < 0 || sy >= height) {
        memory.fill(rowOut, 0, <usize>rowLength << 2);
        continue;
      }
      const rowIn = source + <usize>(sy * rowLength);
      for (let x = 0; x < width; x++) {
        const sx = (flip ? width - 1 - x : x) + dx;
        const o = f32At(rowOut, x * channels);
        if (sx < 0 || sx >= width) {
          memory.fill(o, 0, <usize>channels << 2);
          continue;
        }
        const i = rowIn + <usize>(sx * channels);
        for (let c = 0; c < channels; c++) store<f32>(f32At(o, c), load<f32>(f32At(table, (c << 8) + <i32>load<u8>(i + <usize>c))));
      }
    }
  }
}
