/** A tick step of 1, 2 or 5 times a power of ten: the smallest at least `raw`. */
export function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const multiple of [1, 2, 5]) if (multiple * power >= raw - power * 1e-9) return multiple * power;
  return 10 * power;
}

/** Room left past the outermost values, as a share of their span. */
const PADDING = 0.12;
/** Room each side of a lone value (or values all equal), as a share of its size. */
const LONE_PADDING = 0.02;

/** Values an axis cannot pass (an accuracy's 0 and 100%): whole steps of any tick step it may take. */
export interface AxisLimits {
  min: number;
  max: number;
}

export interface Extent extends AxisLimits {
  /** Between ticks: min and max are whole steps. */
  step: number;
}

/**
 * An axis range for `values` with room on both sides, its ends on whole tick steps (about
 * `ticks` of them): points at the extremes stand inside the plot, not half cut by its edge, and a
 * lone value gets a range of its own size rather than one from half of it to one and a half times it.
 * The room stops at `within` (no 102% tick over runs at 99%). Null without a finite value.
 */
export function paddedExtent(values: readonly number[], ticks = 4, within?: AxisLimits): Extent | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = hi > lo ? (hi - lo) * PADDING : Math.max(Math.abs(hi) * LONE_PADDING, 1e-3);
  const step = niceStep((hi - lo + 2 * pad) / ticks);
  // Rounded to what a step of this size can mean, so that 0.85 is not 0.8500000000000001.
  const snap = (v: number) => Number(v.toPrecision(12));
  const min = snap(Math.floor((lo - pad) / step) * step);
  const max = snap(Math.ceil((hi + pad) / step) * step);
  if (within === undefined) return { min, max, step: snap(step) };
  // Values past a limit (an error bar below 0) keep their room.
  return { min: lo >= within.min ? Math.max(min, within.min) : min, max: hi <= within.max ? Math.min(max, within.max) : max, step: snap(step) };
}

/** The values at the ticks of an extent, min to max. */
export function tickValues({ min, max, step }: Extent): number[] {
  const count = Math.round((max - min) / step);
  return Array.from({ length: count + 1 }, (_, i) => Number((min + i * step).toPrecision(12)));
}
