// Training batches assembled on the heap: each row's image is read from a copy of the training
// set's bytes, cropped and flipped as its plan says, and normalised through a per-channel table,
// straight into the input tensor. The same arithmetic as data/write-image.ts, without the upload.
import { BATCH_CHUNK, chunkBlock, chunkLanes, chunkStart, f32At } from './memory';

/** Whether the examples [r0, r1) of the plan are neither cropped nor flipped. */
function unshifted(shifts: usize, r0: i32, r1: i32): bool {
  let any = 0;
  for (let r = r0; r < r1; r++) any |= load<i32>(shifts + <usize>(r * 12)) | load<i32>(shifts + <usize>(r * 12), 4) | load<i32>(shifts + <usize>(r * 12), 8);
  return any == 0;
}

/** Where example r's image starts. */
@inline function imageAt(images: usize, imageBytes: i32, examples: usize, r: i32): usize {
  return images + <usize>load<i32>(examples + (<usize>r << 2)) * <usize>imageBytes;
}

/**
 * The chunk that starts at example r0, none of it shifted, written four examples at a time: each
 * value of four images goes to its row of the chunk's block as one vector (rather than one
 * example's values a row apart).
 */
function chunkUnshifted(images: usize, imageBytes: i32, channels: i32, table: usize, examples: usize, batch: i32, r0: i32, out: usize): void {
  const chunk = r0 / BATCH_CHUNK;
  const lanes = chunkLanes(batch, chunk);
  const rowBytes = <usize>lanes << 2;
  const block = chunkBlock(out, imageBytes, chunk);
  let lane = 0;
  for (; lane + 4 <= lanes; lane += 4) {
    const s0 = imageAt(images, imageBytes, examples, r0 + lane);
    const s1 = imageAt(images, imageBytes, examples, r0 + lane + 1);
    const s2 = imageAt(images, imageBytes, examples, r0 + lane + 2);
    const s3 = imageAt(images, imageBytes, examples, r0 + lane + 3);
    let to = f32At(block, lane);
    for (let i = 0, c = 0; i < imageBytes; i++, to += rowBytes) {
      const values = f32At(table, c << 8);
      let v = f32x4.splat(load<f32>(values + (<usize>load<u8>(s0 + <usize>i) << 2)));
      v = f32x4.replace_lane(v, 1, load<f32>(values + (<usize>load<u8>(s1 + <usize>i) << 2)));
      v = f32x4.replace_lane(v, 2, load<f32>(values + (<usize>load<u8>(s2 + <usize>i) << 2)));
      v = f32x4.replace_lane(v, 3, load<f32>(values + (<usize>load<u8>(s3 + <usize>i) << 2)));
      v128.store(to, v);
      if (++c == channels) c = 0;
    }
  }
  for (; lane < lanes; lane++) {
    const source = imageAt(images, imageBytes, examples, r0 + lane);
    let to = f32At(block, lane);
    for (let i = 0, c = 0; i < imageBytes; i++, to += rowBytes) {
      store<f32>(to, load<f32>(f32At(table, c << 8) + (<usize>load<u8>(source + <usize>i) << 2)));
      if (++c == channels) c = 0;
    }
  }
}

/**
 * out [batch, height, width, channels] (float32) from `images` (bytes, imageBytes per example), or
 * with `toChunks` the same values as [height·width·channels, batch] stored by batch chunk
 * (memory.as chunkBlock: what a compressed first layer reads); plan: examples int32 [batch],
 * shifts int32 [batch, 3] = (dy, dx, flip). Output pixel (y, x) takes source pixel (y + dy, x' + dx)
 * with x' = width − 1 − x when flipped, else x; outside the source it is 0. table [channels · 256]
 * holds the normalised value of each byte. Parts split the batch in chunks (memory.as
 * chunkStart), run pinned like the kernels that read the batch next.
 */
export function assembleBatch(
  images: usize, height: i32, width: i32, channels: i32, table: usize, examples: usize, shifts: usize,
  batch: i32, toChunks: i32, out: usize, part: i32, parts: i32,
): void {
  const imageBytes = height * width * channels;
  const end = chunkStart(batch, part + 1, parts);
  for (let r0 = chunkStart(batch, part, parts); r0 < end; r0 += BATCH_CHUNK) {
    const r1 = min(end, r0 + BATCH_CHUNK);
    if (toChunks && unshifted(shifts, r0, r1)) {
      chunkUnshifted(images, imageBytes, channels, table, examples, batch, r0, out);
      continue;
    }
    for (let r = r0; r < r1; r++) writeExample(images, height, width, channels, table, examples, shifts, batch, toChunks, out, r);
  }
}

/**
 * Example r of assembleBatch, one value at a time: cropped and flipped as its plan says, into
 * its row of out or, with `toChunks`, its lane of its chunk's block.
 */
function writeExample(
  images: usize, height: i32, width: i32, channels: i32, table: usize, examples: usize, shifts: usize,
  batch: i32, toChunks: i32, out: usize, r: i32,
): void {
  const rowLength = width * channels;
  const imageBytes = height * rowLength;
  const source = imageAt(images, imageBytes, examples, r);
  const dy = load<i32>(shifts + <usize>(r * 12));
  const dx = load<i32>(shifts + <usize>(r * 12), 4);
  const flip = load<i32>(shifts + <usize>(r * 12), 8) != 0;
  // Where the example's value i goes: target + i·step.
  const chunk = r / BATCH_CHUNK;
  const target = toChunks ? f32At(chunkBlock(out, imageBytes, chunk), r - chunk * BATCH_CHUNK) : f32At(out, r * imageBytes);
  const step = toChunks ? <usize>chunkLanes(batch, chunk) << 2 : 4;
  if (dy == 0 && dx == 0 && !flip) {
    if (channels == 1) {
      for (let i = 0; i < imageBytes; i++) store<f32>(target + <usize>i * step, load<f32>(table + (<usize>load<u8>(source + <usize>i) << 2)));
    } else {
      for (let i = 0, c = 0; i < imageBytes; i++) {
        store<f32>(target + <usize>i * step, load<f32>(f32At(table, (c << 8) + <i32>load<u8>(source + <usize>i))));
        if (++c == channels) c = 0;
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    const rowOut = y * rowLength;
    if (sy < 0 || sy >= height) {
      for (let i = 0; i < rowLength; i++) store<f32>(target + <usize>(rowOut + i) * step, 0);
      continue;
    }
    const rowIn = source + <usize>(sy * rowLength);
    for (let x = 0; x < width; x++) {
      const sx = (flip ? width - 1 - x : x) + dx;
      const o = target + <usize>(rowOut + x * channels) * step;
      if (sx < 0 || sx >= width) {
        for (let c = 0; c < channels; c++) store<f32>(o + <usize>c * step, 0);
        continue;
      }
      const i = rowIn + <usize>(sx * channels);
      for (let c = 0; c < channels; c++) store<f32>(o + <usize>c * step, load<f32>(f32At(table, (c << 8) + <i32>load<u8>(i + <usize>c))));
    }
  }
}
