export type CsvCell = string | number | null | undefined;

/** RFC 4180 text: a header line, then one line per row; empty cells for null or undefined. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [header.map(cell).join(',')];
  for (const row of rows) lines.push(row.map(cell).join(','));
  return `${lines.join('\n')}\n`;
}

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  // 15 significant digits: a mean of 0.86 and 0.8688 is 0.8644, not the float's 0.8644000000000001.
  const text = typeof value === 'number' ? String(Number(value.toPrecision(15))) : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
