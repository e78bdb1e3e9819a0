/** Tooltip text is built from run names and labels: escaped, since ECharts renders it as HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tooltip's body: a bold title line, then plain lines. */
export function tooltipHtml(title: string, lines: readonly string[]): string {
  return [`<b>${escapeHtml(title)}</b>`, ...lines.map(escapeHtml)].join('<br/>');
}
