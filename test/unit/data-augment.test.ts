import { describe, expect, it } from 'vitest';
import { channelStats, normalizationTable } from '../../src-main/engine/data/normalization.js';
import { writeImage } from '../../src-main/engine/data/write-image.js';

// mean 0 and std 1/255 make the table the identity on byte values, so outputs read as pixels.
const identity = normalizationTable({ mean: [0], std: [1 / 255] });
const image = Uint8Array.from({ length: 16 }, (_, i) => i + 1); // rows 1..4, 5..8, 9..12, 13..16

function render(dy: number, dx: number, flip: boolean): number[][] {
  const out = new Float32Array(16).fill(-1);
  writeImage(image, 0, [4, 4, 1], identity, out, 0, dy, dx, flip);
  return [0, 1, 2, 3].map((y) => [...out.subarray(y * 4, y * 4 + 4)].map((v) => Math.round(v)));
}

describe('crop and flip', () => {
  it('copies the image unchanged without shift or flip', () => {
    expect(render(0, 0, false)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ]);
  });

  it('shifts the crop window and fills outside with the normalised mean (0)', () => {
    expect(render(1, 0, false)).toEqual([
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
      [0, 0, 0, 0],
    ]);
    expect(render(-2, 1, false)).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [2, 3, 4, 0],
      [6, 7, 8, 0],
    ]);
    expect(render(0, -4, false)).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('mirrors left-right, after the crop', () => {
    expect(render(0, 0, true)).toEqual([
      [4, 3, 2, 1],
      [8, 7, 6, 5],
      [12, 11, 10, 9],
      [16, 15, 14, 13],
    ]);
    // Crop one to the right gives [2, 3, 4, 0] per row; mirrored, [0, 4, 3, 2].
    expect(render(1, 1, true)).toEqual([
      [0, 8, 7, 6],
      [0, 12, 11, 10],
      [0, 16, 15, 14],
      [0, 0, 0, 0],
    ]);
  });

  it('normalises each channel with its own mean and std', () => {
    // One 1×2 RGB image: pixel 0 = (51, 102, 255), pixel 1 = (0, 255, 153).
    const rgb = Uint8Array.of(51, 102, 255, 0, 255, 153);
    const table = normalizationTable({ mean: [0.2, 0.5, 0.4], std: [0.1, 0.5, 0.2] });
    const out = new Float32Array(6);
    writeImage(rgb, 0, [1, 2, 3], table, out, 0, 0, 0, false);
    // (51/255 − 0.2)/0.1 = 0, (102/255 − 0.5)/0.5 = −0.2, (1 − 0.4)/0.2 = 3, (0 − 0.2)/0.1 = −2, (1 − 0.5)/0.5 = 1, (0.6 − 0.4)/0.2 = 1
    [0, -0.2, 3, -2, 1, 1].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
    writeImage(rgb, 0, [1, 2, 3], table, out, 0, 0, 0, true);
    [-2, 1, 1, 0, -0.2, 3].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
  });
});

describe('channel statistics', () => {
  it('gives the per-channel mean and population std on the [0, 1] scale', () => {
    // Two 1×1 images with two channels: channel 0 takes 0 and 255, channel 1 takes 51 twice.
    const stats = channelStats({ images: Uint8Array.of(0, 51, 255, 51), labels: Uint8Array.of(0, 1), count: 2, shape: [1, 1, 2] });
    expect(stats.mean[0]).toBeCloseTo(0.5, 12);
    expect(stats.std[0]).toBeCloseTo(0.5, 12);
    expect(stats.mean[1]).toBeCloseTo(0.2, 12);
    expect(stats.std[1]).toBe(0);
  });

  it('leaves a channel with std 0 centred but unscaled', () => {
    const table = normalizationTable({ mean: [0.2], std: [0] });
    expect(table[51]).toBeCloseTo(0, 6);
    expect(table[255]).toBeCloseTo(0.8, 6);
  });
});
