import { describe, expect, it } from 'vitest';
import { curvesOption, STEP_AXIS, type Curve } from '../../src-shared/charts/curves.js';
import { svgRenderer } from '../../src-main/report/render-svg.js';

/** A line through these x, at y 0.5. */
const line = (xs: number[]): Curve => ({ name: 'RigL', color: '#c0392b', points: xs.map((x) => [x, 0.5]) });
const range = (from: number, to: number, by: number): number[] => Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);

/** The x axis's tick labels, left to right (those drawn along the bottom of a 300 px chart). */
async function xLabels(curve: Curve, width: number): Promise<string[]> {
  const svg = (await svgRenderer())(curvesOption([curve], { ...STEP_AXIS, y: 'loss' }), width, 300);
  return [...svg.matchAll(/<text[^>]*translate\(([\d.]+) 264\)[^>]*>([^<]*)<\/text>/g)].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => m[2]!);
}

describe('step curves', () => {
  it('drop an end label that would sit a few pixels from the next tick', async () => {
    // The curves of a run logged from step 50 to 210: ticks every 30 from 60, the ends at 50 and 210.
    expect(await xLabels(line(range(50, 210, 5)), 520)).toEqual(['60', '90', '120', '150', '180', '210']);
    // Layer densities of a 6,320-step run, full width: 6.32 k would come 16 px after 6.00 k.
    expect(await xLabels(line([0, ...range(100, 6300, 200), 6320]), 1080)).toEqual(['0', '1.00 k', '2.00 k', '3.00 k', '4.00 k', '5.00 k', '6.00 k']);
  });

  it('tick whole steps only, and name a step in the tooltip without decimals', async () => {
    expect(await xLabels(line([1, 2, 3]), 520)).toEqual(['1', '2', '3']);
    const heading = (curvesOption([line([1300])], { ...STEP_AXIS, y: 'loss' }).xAxis as { axisPointer: { label: { formatter: (p: { value: number }) => string } } }).axisPointer.label.formatter;
    expect(heading({ value: 1300 })).toBe('1,300');
    expect(heading({ value: 1.5 })).toBe('1.5');
  });
});
