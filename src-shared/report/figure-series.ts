import type { MeanStdAxes, MeanStdPoint, MeanStdSeries } from '../charts/mean-std.js';
import { paddedExtent } from '../charts/extent.js';
import type { RunGroup } from './groups.js';
import { flopMultiple, meanStdPercent } from './format.js';
import type { SeriesStyle } from './series-style.js';

/** Tooltip lines of a group: its accuracy over seeds and its FLOPs (training FLOPs against dense of the standard length). */
export function groupDetails(g: RunGroup, accuracyLabel: string): string[] {
  return [
    `${accuracyLabel} ${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)}%`,
    `${g.accuracy.n} of ${g.runs.length} runs measured · seeds ${g.seeds.join(', ')}`,
    `training FLOPs ${flopMultiple(g.trainFlopsRatio.mean)} the standard dense run's · inference ${flopMultiple(g.inferenceFlopsRatio.mean)}`,
  ];
}

/**
 * Figure series from groups: one per series style, each group a point at `xOf(group)`, in the
 * order the styles first appear (the groups' order: methods as usual).
 */
export function groupSeries(
  groups: readonly RunGroup[],
  styles: ReadonlyMap<string, SeriesStyle>,
  point: (g: RunGroup) => Omit<MeanStdPoint, 'mean' | 'std'> | null,
  joined: boolean,
): MeanStdSeries[] {
  const series = new Map<string, MeanStdSeries>();
  for (const g of groups) {
    const style = styles.get(g.key);
    const at = point(g);
    if (!style || !at || g.accuracy.mean === null) continue;
    let s = series.get(style.key);
    if (!s) {
      s = { name: style.label, color: style.color, lineType: style.lineType, symbol: style.symbol, joined, points: [] };
      series.set(style.key, s);
    }
    s.points.push({ ...at, mean: g.accuracy.mean, std: g.accuracy.std });
  }
  return [...series.values()];
}

/**
 * The x axis of accuracy against training FLOPs (multiples of the dense run's): from 0, where
 * the FLOPs mean something, to past the largest with room, so that dense's point at 1× stands
 * inside the plot rather than on its edge.
 */
export function trainingFlopsAxis(series: readonly MeanStdSeries[]): MeanStdAxes['x'] {
  // Ticks of 0.2× up to dense's 1×: the room past it stays a tick, not half the axis again.
  const extent = paddedExtent([0, ...series.flatMap((s) => s.points.map((p) => p.x))], 7);
  return { name: 'training FLOPs (× dense 1×)', min: 0, ...(extent ? { max: extent.max, interval: extent.step } : {}), format: (v) => `${v}×` };
}
