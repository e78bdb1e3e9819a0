import type { MetricPoint } from './records.js';

/**
 * A run's series as the store gave them, followed by the points already drawn from its live
 * progress past each one's last stored step: the store receives metrics in batches, so a reload
 * while the run trains can lag what the page has shown.
 */
export function withLivePoints(stored: Map<string, MetricPoint[]>, drawn: ReadonlyMap<string, readonly MetricPoint[]>): Map<string, MetricPoint[]> {
  const merged = new Map(stored);
  for (const [name, points] of drawn) {
    const kept = merged.get(name) ?? [];
    const lastStored = kept[kept.length - 1]?.step ?? -1;
    const newer = points.filter((p) => p.step > lastStored);
    if (newer.length > 0) merged.set(name, [...kept, ...newer]);
  }
  return merged;
}
