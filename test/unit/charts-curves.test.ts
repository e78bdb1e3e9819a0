import { describe, expect, it } from 'vitest';
import { curvesOption, STEP_AXIS, type Curve } from '../../src-shared/charts/curves.js';
import { unpagedLegend } from '../../src-shared/charts/style.js';
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
  it('label the last step, hiding the tick a few pixels before it rather than both', async () => {
    // The curves of a run logged from step 50 to 210, on steps counted from 0: ticks every 50, and
    // the end at 210 comes 10 steps (about 22 px) after 200.
    expect(await xLabels(line(range(50, 210, 5)), 520)).toEqual(['0', '50', '100', '150', '210']);
    // Layer densities of a 6,320-step run: at 1080 px wide, "6.32 k" keeps a clear gap after "6 k";
    // at 700 px it would come a few pixels from it.
    expect(await xLabels(line([0, ...range(100, 6300, 200), 6320]), 1080)).toEqual(['0', '1 k', '2 k', '3 k', '4 k', '5 k', '6 k', '6.32 k']);
    expect(await xLabels(line([0, ...range(100, 6300, 200), 6320]), 700)).toEqual(['0', '1 k', '2 k', '3 k', '4 k', '5 k', '6.32 k']);
    // A small panel of a redistribution view, 168 steps: the end and its neighbour both went, and
    // the axis read 0…120.
    expect(await xLabels(line([0, 20, 40, 60, 80, 100, 120, 140, 168]), 330)).toEqual(['0', '30', '60', '90', '120', '168']);
    // Ticks as round numbers are written: no zeros after the point.
    expect(await xLabels(line([0, 1500]), 520)).toEqual(['0', '300', '600', '900', '1.2 k', '1.5 k']);
  });

  it('tick whole steps only, and name a step in the tooltip without decimals', async () => {
    expect(await xLabels(line([1, 2, 3]), 520)).toEqual(['0', '1', '2', '3']);
    const heading = (curvesOption([line([1300])], { ...STEP_AXIS, y: 'loss' }).xAxis as { axisPointer: { label: { formatter: (p: { value: number }) => string } } }).axisPointer.label.formatter;
    expect(heading({ value: 1300 })).toBe('1,300');
    expect(heading({ value: 1.5 })).toBe('1.5');
  });
});

describe('the axes of a run\'s charts', () => {
  it('end the step axis at the run\'s last step when asked, and draw separate events as markers without a line', async () => {
    const events: Curve = { ...line([10, 20]), unjoined: true };
    const svg = (await svgRenderer())(curvesOption([events], { ...STEP_AXIS, y: 'dropped / active', xMax: 42 }), 520, 300);
    expect([...svg.matchAll(/<text[^>]*translate\(([\d.]+) 264\)[^>]*>([^<]*)<\/text>/g)].map((m) => m[2]).at(-1)).toBe('42');
    const [series] = curvesOption([events], { ...STEP_AXIS, y: 'dropped / active' }).series as Array<{ showSymbol: boolean; lineStyle: { width: number } }>;
    expect([series!.showSymbol, series!.lineStyle.width]).toEqual([true, 0]);
  });

  it('keep the y axis\'s name on the chart beside long tick labels (a learning rate of 0.00007)', async () => {
    const lr: Curve = { name: 'lr', color: '#000', points: [[42, 0.00007]] };
    const svg = (await svgRenderer())(curvesOption([lr], { ...STEP_AXIS, y: 'learning rate', yFromZero: true }), 500, 300);
    // Rotated a quarter turn about x, the name's 12 px line spans x − 12 to x.
    const nameX = Number(/transform="matrix\(0,-1,1,0,([\d.-]+),[\d.]+\)"[^>]*>learning rate</.exec(svg)![1]);
    const labelEnds = [...svg.matchAll(/translate\(([\d.]+) [\d.]+\)"[^>]*>0\.0000\d</g)].map((m) => Number(m[1]));
    expect(nameX - 12).toBeGreaterThanOrEqual(0);
    // Right-aligned labels of 7 characters, about 6.6 px each, start clear of the name.
    expect(Math.min(...labelEnds) - 7 * 6.6).toBeGreaterThan(nameX);
  });
});

describe('a chart exported to a file', () => {
  it('names every curve: the legend the screen pages through wraps, the file taller by its rows', async () => {
    const curves: Curve[] = Array.from({ length: 22 }, (_, seed) => ({ ...line([1, 2, 3]), name: `RigL 90% · seed ${seed}` }));
    const option = curvesOption(curves, { ...STEP_AXIS, y: 'loss' });
    const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    const render = await svgRenderer();
    // On screen: a page of names and the pager.
    expect(texts(render(option, 800, 280))).toContain('1/5');
    // In 800 − 2 · 14 = 772 px rows, "RigL 90% · seed 0" takes 17 · 6.8 + 34 = 149.6 px (5 a row),
    // "… seed 10" 156.4 px (4 a row): 2 rows for seeds 0–9, 3 for 10–21. 14 + 5 · 21 = 119 px above
    // the plot, 83 more than the 36 of one row.
    const file = unpagedLegend(option, 800);
    expect(file.extraHeight).toBe(83);
    expect((file.option.grid as { top: number }).top).toBe(119);
    const shown = texts(render(file.option, 800, 280 + file.extraHeight));
    for (const c of curves) expect(shown).toContain(c.name);
    expect(shown.filter((t) => /^\d+\/\d+$/.test(t))).toEqual([]);
  });

  it('leaves a chart with a legend of its own alone', () => {
    const option = curvesOption([line([1, 2])], { ...STEP_AXIS, y: 'loss' });
    expect(unpagedLegend(option, 800)).toEqual({ option, extraHeight: 0 });
  });
});
