/** How numbers read across the app: one place so that tables, tooltips and CSV headers agree. */

const DASH = '—';

const grouped = new Intl.NumberFormat('en-US');

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : grouped.format(n);
}

/** An accuracy or other fraction in [0, 1] as a percentage. */
export function percent(fraction: number | null | undefined, digits = 2): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? DASH : `${(fraction * 100).toFixed(digits)}%`;
}

/** A sparsity such as 0.9 as "90%", with decimals only where they matter (0.955 -> "95.5%"). */
export function sparsityLabel(sparsity: number): string {
  return `${Number((sparsity * 100).toFixed(2))}%`;
}

/** A FLOP multiple of the dense run, as the report writes it: "0.35×". */
export function times(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** 1.23e9 -> "1.23 G": for FLOP counts and parameter counts in tight places. */
export function compact(n: number | null | undefined, unit = ''): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (Math.abs(n) < 1000) return `${Number(n.toPrecision(3))} ${unit}`.trim();
  let value = Math.abs(n);
  let i = 0;
  while (value >= 1000 && i < SI.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${n < 0 ? '-' : ''}${value.toFixed(digits)} ${SI[i]}${unit}`.trim();
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return DASH;
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[i]}`;
}

/** Seconds as "2 h 05 m", "3 m 12 s" or "45 s". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} m`;
  if (m > 0) return `${m} m ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** Mean ± standard deviation of fractions as percentages: "92.61 ± 0.10". */
export function meanStdPercent(mean: number | null, std: number | null, n: number): string {
  if (mean === null) return DASH;
  const m = (mean * 100).toFixed(2);
  return n > 1 && std !== null ? `${m} ± ${(std * 100).toFixed(2)}` : m;
}
