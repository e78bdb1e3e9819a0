/** Summary of one quantity over the seeds of a group. */
export interface MeanStd {
  mean: number | null;
  /** Sample standard deviation (n − 1); null with fewer than two values. */
  std: number | null;
  n: number;
}

export function meanStd(values: ReadonlyArray<number | null>): MeanStd {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, std: null, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}
