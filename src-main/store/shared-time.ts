/** A stretch of time in ms since the epoch, start before end. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Seconds of `session` during which at least one of `others` was under way too: how long a run
 * shared the machine with other runs (overlapping others count once).
 */
export function sharedSeconds(session: Span, others: readonly Span[]): number {
  const clipped = others
    .map((o) => ({ start: Math.max(o.start, session.start), end: Math.min(o.end, session.end) }))
    .filter((o) => o.end > o.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let reach = -Infinity;
  for (const { start, end } of clipped) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total / 1000;
}
