import type { LayerStatRecord } from '../api/records.js';
import { LINE_WIDTH, type Curve } from './curves.js';
import { SERIES_COLORS } from './palette.js';
import { groupBy } from '../group-by.js';

/** Rows grouped by layer, layers in the order they first appear (forward order, as recorded). */
export const byLayer = <T extends { layer: string }>(rows: readonly T[]): Map<string, T[]> => groupBy(rows, (r) => r.layer);

/** The colour of the i-th layer on every per-layer chart. */
export const layerColor = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length] as string;

/** How much wider a line is than one drawn over it, and how many such steps at most. */
const NESTED_STEP = 2;
const NESTED_LEVELS = 3;
/** Two values closer than this share of the chart's y span are drawn on one another. */
const COINCIDENT_SHARE = 0.005;

/** Whether curve b comes within `tolerance` of a (its y by x) at some x where both have a value. */
function coincide(aAt: ReadonlyMap<number, number | null>, b: Curve, tolerance: number): boolean {
  return b.points.some(([x, y]) => {
    const other = aAt.get(x);
    return y !== null && other !== undefined && other !== null && Math.abs(y - other) <= tolerance;
  });
}

/**
 * Layers often lie on one another (RigL drops the same share of each, pruning keeps them at one
 * density). A line that a later one covers somewhere is drawn wider, one step for each line of the
 * chain drawn over it, so that each shows as an edge around the next; lines that never meet keep
 * the common width.
 */
export function nested(curves: readonly Curve[]): Curve[] {
  const ys = curves.flatMap((c) => c.points.map(([, y]) => y).filter((y): y is number => y !== null));
  const tolerance = ys.length > 0 ? (Math.max(...ys) - Math.min(...ys)) * COINCIDENT_SHARE : 0;
  const depth = new Array<number>(curves.length).fill(0);
  for (let i = curves.length - 2; i >= 0; i--) {
    const at = new Map(curves[i]!.points);
    for (let j = i + 1; j < curves.length; j++) {
      if (coincide(at, curves[j]!, tolerance)) depth[i] = Math.max(depth[i]!, depth[j]! + 1);
    }
  }
  return curves.map((c, i) => ({ ...c, width: LINE_WIDTH + NESTED_STEP * Math.min(depth[i]!, NESTED_LEVELS) }));
}

/** Each layer's density over training, one curve a layer. */
export function densityCurves(history: readonly LayerStatRecord[]): Curve[] {
  return nested(
    [...byLayer(history).entries()].map(([layer, rows], i) => ({
      name: layer,
      color: layerColor(i),
      points: rows.map((r): [number, number | null] => [r.step, r.density]),
      // A density holds from one record to the next, where an event changes it at once.
      stepped: true,
    })),
  );
}
