import { describe, expect, it } from 'vitest';
import { curvesOption, STEP_AXIS, type Curve } from '../../src-shared/charts/curves.js';
import { densityCurves, nested } from '../../src-shared/charts/layer-curves.js';
import { svgRenderer } from '../../src-main/report/render-svg.js';
import type { LayerStatRecord } from '../../src-shared/api/records.js';

/** A layer's line through (step, y) pairs. */
const layer = (name: string, ys: Array<number | null>): Curve => ({ name, color: '#000000', points: ys.map((y, i) => [i * 10, y]) });
const widths = (curves: Curve[]): string[] => curves.map((c) => c.width!.toFixed(1));

describe('layers drawn on one chart', () => {
  it('widen a line once for each line of the chain drawn over it, so that a covered one shows as an edge', async () => {
    // RigL drops the same share of every layer: three lines on one another.
    const same = nested([0.3, 0.3, 0.3].map((_, i) => ({ ...layer(`fc${i + 1}`, [0.3, 0.2, 0.1]), color: ['#4f7fbf', '#c8453b', '#2f9c8f'][i]! })));
    expect(widths(same)).toEqual(['5.6', '3.6', '1.6']);
    // In the file's order, which is the order drawn: widest first, under the others.
    const svg = (await svgRenderer())(curvesOption(same, { ...STEP_AXIS, y: 'dropped / active' }), 520, 300);
    const strokes = [...svg.matchAll(/<path d="M[^"]*" fill="none" pointer-events="visible" stroke="(#[0-9a-f]{6})" stroke-width="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(strokes).toEqual([['#4f7fbf', 5.6], ['#c8453b', 3.6], ['#2f9c8f', 1.6]]);
  });

  it('keep the common width for lines that never meet, and nest only those that do', () => {
    expect(widths(nested([layer('fc1', [0.07, 0.07]), layer('fc2', [0.22, 0.22]), layer('fc3', [1, 1])]))).toEqual(['1.6', '1.6', '1.6']);
    // RigL-SM: every layer at 10% until the first update moves weights between them.
    expect(widths(nested([layer('fc1', [0.1, 0.08, 0.07]), layer('fc2', [0.1, 0.19, 0.3]), layer('fc3', [0.1, 1, 1])]))).toEqual(['5.6', '3.6', '1.6']);
    // fc1 meets fc2 and fc2 meets fc3 (at other steps): fc1 is two lines deep, though fc3 never covers it.
    expect(widths(nested([layer('fc1', [0.5, 0.9, 0.9]), layer('fc2', [0.5, 0.5, 0.2]), layer('fc3', [0.1, 0.1, 0.2])]))).toEqual(['5.6', '3.6', '1.6']);
    // Only fc1 and fc3 meet: fc2 is drawn between them but covers neither.
    expect(widths(nested([layer('fc1', [0.1, 0.1]), layer('fc2', [0.5, 0.5]), layer('fc3', [0.1, 0.2])]))).toEqual(['3.6', '1.6', '1.6']);
  });

  it('count as meeting values a rounding apart, not a visible gap apart, and gaps as nothing', () => {
    // 7 of 30 against 70 of 300 dropped: 23.33% both, but 700 of 3001 is 0.01 points off; on a 0–23% axis, a hair.
    expect(widths(nested([layer('fc1', [0.2333, 0]), layer('fc2', [700 / 3001, 0.01])]))).toEqual(['3.6', '1.6']);
    expect(widths(nested([layer('fc1', [0.2333, 0]), layer('fc2', [0.2, 0.01])]))).toEqual(['1.6', '1.6']);
    expect(widths(nested([layer('fc1', [null, 0]), layer('fc2', [null, 0.2])]))).toEqual(['1.6', '1.6']);
  });

  it('widen at most three steps: past four lines on one another, the first ones share the widest', () => {
    expect(widths(nested(Array.from({ length: 6 }, (_, i) => layer(`conv${i}`, [0.1]))))).toEqual(['7.6', '7.6', '7.6', '5.6', '3.6', '1.6']);
  });
});

describe('layer densities over training', () => {
  it('are one stepped curve a layer, in the order recorded, nested where they meet', () => {
    const row = (layer: string, step: number, density: number): LayerStatRecord => ({ layer, step, epoch: step / 100, density, active: Math.round(density * 1000), params: 1000, flops: 2 * density * 1000 });
    const curves = densityCurves([row('fc1', 0, 0.1), row('fc2', 0, 0.1), row('fc1', 100, 0.1), row('fc2', 100, 0.3)]);
    expect(curves.map((c) => [c.name, c.points, c.stepped])).toEqual([
      ['fc1', [[0, 0.1], [100, 0.1]], true],
      ['fc2', [[0, 0.1], [100, 0.3]], true],
    ]);
    expect(widths(curves)).toEqual(['3.6', '1.6']);
    expect(curves[0]!.color).not.toBe(curves[1]!.color);
  });
});
