/** A plain-text table with right-aligned figures, for the terminal and the README. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (x: number | null, digits = 1): string => (x === null ? '–' : x.toFixed(digits));
export const percent = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
export const ratio = (x: number | null): string => (x === null ? '–' : `${x.toFixed(2)}×`);
