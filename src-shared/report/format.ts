/** How numbers read in the dashboards and the report: one place so that tables, figures and CSV agree. */

const DASH = '—';

const grouped = new Intl.NumberFormat('en-US');

/** A whole number with thousands separators: "50,000". */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : grouped.format(n);
}

/** An accuracy or other fraction in [0, 1] as a percentage. */
export function percent(fraction: number | null | undefined, digits = 2): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? DASH : `${(fraction * 100).toFixed(digits)}%`;
}

/** A fraction such as 0.9 as "90%", with decimals only where they matter (0.955 -> "95.5%"). */
export function shortPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** A sparsity as a label: "90%", "95.5%". */
export function sparsityLabel(sparsity: number): string {
  return shortPercent(sparsity);
}

/** A multiple of the dense run's time, as the report writes it: "0.35×". */
export function times(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/**
 * A multiple of the dense run's FLOPs: three significant figures below 1, where sparse runs lie
 * (two decimals showed RigL's 0.102× and static's 0.100× both as 0.10×, and 98% sparse runs'
 * 0.0249× as 0.02×); above, as times.
 */
export function flopMultiple(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  return ratio > 0 && ratio < 1 ? `${ratio.toPrecision(3)}×` : times(ratio);
}

/** Seconds as "2 h 05 m", "3 m 12 s", "45 s" or, below 10 s (where whole seconds hide a ratio), "2.4 s". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  if (seconds < 9.95) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} m`;
  if (m > 0) return `${m} m ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

/** Mean ± standard deviation of fractions as percentages: "92.61 ± 0.10". */
export function meanStdPercent(mean: number | null, std: number | null, n: number): string {
  if (mean === null) return DASH;
  const m = (mean * 100).toFixed(2);
  return n > 1 && std !== null ? `${m} ± ${(std * 100).toFixed(2)}` : m;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * 1.23e9 -> "1.23 G": for FLOP counts, parameter counts and steps in tight places. Three digits
 * line up in a table; `round` drops the zeros after the point ("1.2 k", "6 k"), as an axis tick reads.
 */
export function compact(n: number | null | undefined, unit = '', round = false): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (Math.abs(n) < 1000) return `${Number(n.toPrecision(3))} ${unit}`.trim();
  let value = Math.abs(n);
  let i = 0;
  while (value >= 1000 && i < SI.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const shown = round ? String(Number(value.toFixed(digits))) : value.toFixed(digits);
  return `${n < 0 ? '-' : ''}${shown} ${SI[i]}${unit}`.trim();
}

/** "SET, SNFS and RigL": a list in prose. */
export function andList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}` : (items[0] ?? '');
}

const ORDINAL = new Intl.PluralRules('en-US', { type: 'ordinal' });
const ORDINAL_SUFFIX: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };

/** 1st, 2nd, 3rd, 4th, 11th, 21st: a place in a list, which a bare "1" would read as a value. */
export function ordinal(n: number): string {
  return `${n}${ORDINAL_SUFFIX[ORDINAL.select(n)] ?? 'th'}`;
}
