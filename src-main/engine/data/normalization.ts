import type { ChannelStats, ImageSet } from './types.js';

/** Per-channel mean and (population) standard deviation of a set's pixels on the [0, 1] scale. */
export function channelStats(set: ImageSet): ChannelStats {
  if (set.count === 0) throw new RangeError('cannot compute pixel statistics of an empty set');
  const channels = set.shape[2];
  // A histogram per channel makes the sums exact and the pass cheap, whatever the set's size.
  const histogram = new Float64Array(256 * channels);
  const { images } = set;
  for (let i = 0; i < images.length; i += channels) {
    for (let c = 0; c < channels; c++) histogram[c * 256 + images[i + c]!]!++;
  }
  const mean: number[] = [];
  const std: number[] = [];
  const perChannel = images.length / channels;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let v = 0; v < 256; v++) sum += histogram[c * 256 + v]! * (v / 255);
    const m = sum / perChannel;
    let squares = 0;
    for (let v = 0; v < 256; v++) squares += histogram[c * 256 + v]! * (v / 255 - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(squares / perChannel));
  }
  return { mean, std };
}

/**
 * The normalised value (byte / 255 − mean) / std of every byte in every channel, at
 * [channel · 256 + byte]. A channel with std 0 is only centred: it carries no information to scale.
 */
export function normalizationTable(stats: ChannelStats): Float32Array {
  const table = new Float32Array(256 * stats.mean.length);
  stats.mean.forEach((mean, c) => {
    const std = stats.std[c] || 1;
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean) / std;
  });
  return table;
}
