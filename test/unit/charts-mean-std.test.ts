import { describe, expect, it } from 'vitest';
import { curvesOption } from '../../src-shared/charts/curves.js';
import { meanStdChartOption, type MeanStdSeries } from '../../src-shared/charts/mean-std.js';
import { asPercent } from '../../src-shared/charts/style.js';
import { svgRenderer } from '../../src-main/report/render-svg.js';

const sparse: MeanStdSeries = {
  name: 'RigL',
  color: '#c0392b',
  lineType: 'solid',
  symbol: 'circle',
  joined: true,
  points: [
    { x: 0.8, mean: 0.8826, std: null, title: 'RigL 80%', details: [] },
    { x: 0.9, mean: 0.8818, std: null, title: 'RigL 90%', details: [] },
  ],
};
const dense = { name: 'Dense', color: '#333333', y: 0.8971, label: 'Dense 89.71' };

/** The y axis's tick labels (percent) and the height each is drawn at. */
function yTicks(svg: string): Array<{ value: number; y: number }> {
  return [...svg.matchAll(/<text[^>]*translate\([\d.]+ ([\d.]+)\)[^>]*>(\d+(?:\.\d+)?)%<\/text>/g)].map((m) => ({ value: Number(m[2]), y: Number(m[1]) }));
}

/** The height of the dashed line drawn across the plot (the reference line). */
function dashedLineY(svg: string): number {
  const lines = [...svg.matchAll(/<path d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"[^>]*stroke-dasharray/g)].filter((m) => Number(m[3]) - Number(m[1]) > 100);
  expect(lines).toHaveLength(1);
  return Number(lines[0]![2]);
}

describe('mean ± std figures', () => {
  it('stretch the y axis to a dense line far above the sparse points, and draw it at its value', async () => {
    const render = await svgRenderer();
    const svg = render(meanStdChartOption([sparse], [dense], { x: { name: 'sparsity', min: 0.75, max: 0.95 }, y: { name: 'test accuracy', format: asPercent } }), 600, 340);
    expect(svg).toContain('Dense 89.71');
    const ticks = yTicks(svg);
    const values = ticks.map((t) => t.value);
    expect(Math.max(...values)).toBeGreaterThanOrEqual(89.71);
    expect(Math.min(...values)).toBeLessThanOrEqual(88.18);
    // At 89.71%, not rounded to 90%: between the ticks around it, in proportion.
    const below = ticks.filter((t) => t.value <= 89.71).sort((a, b) => b.value - a.value)[0]!;
    const above = ticks.filter((t) => t.value > 89.71).sort((a, b) => a.value - b.value)[0]!;
    const expected = below.y + ((89.71 - below.value) / (above.value - below.value)) * (above.y - below.y);
    expect(Math.abs(dashedLineY(svg) - expected)).toBeLessThan(1.5);
  });

  it('label dense lines at nearly one accuracy one above and one below, apart', async () => {
    const render = await svgRenderer();
    const twoDense = [
      { ...dense, name: 'Dense', y: 0.8335, label: 'Dense 83.35' },
      { ...dense, name: 'Dense · training ×2', y: 0.834, label: 'Dense · training ×2 83.40' },
    ];
    const svg = render(meanStdChartOption([sparse], twoDense, { x: { name: 'sparsity', min: 0.75, max: 0.95 }, y: { name: 'test accuracy', format: asPercent } }), 600, 340);
    // Where a label's text is drawn: its anchor, moved by its own y (above or below the line).
    const labelY = (text: string) => {
      const m = new RegExp(`<text[^>]*y="(-?[\\d.]+)"[^>]*translate\\([\\d.]+ ([\\d.]+)\\)[^>]*>${text}</text>`).exec(svg);
      return Number(m?.[1]) + Number(m?.[2]);
    };
    // The higher line's label over it, the lower's under it: more than a line of 12 px text apart.
    expect(labelY('Dense · training ×2 83.40')).toBeLessThan(labelY('Dense 83.35') - 14);
  });

  it('end a legend name too long for its row in an ellipsis, within the chart', async () => {
    const long = { ...sparse, name: `RigL · ${'a very long recipe difference · '.repeat(4)}end` };
    const svg = (await svgRenderer())(meanStdChartOption([long], [], { x: { name: 'sparsity' }, y: { name: 'test accuracy' } }), 560, 340);
    const legend = [...svg.matchAll(/<text[^>]*>(RigL ·[^<]*)<\/text>/g)].map((m) => m[1]!);
    expect(legend).toHaveLength(1);
    expect(legend[0]!.endsWith('…')).toBe(true);
  });

  it('keep close points inside the plot, and the y axis name clear of their long tick labels', () => {
    const close = { ...sparse, points: [sparse.points[0]!, { ...sparse.points[1]!, mean: 0.8822 }] };
    const option = meanStdChartOption([close], [], { x: { name: 'sparsity', min: 0.75, max: 0.95 }, y: { name: 'test accuracy', format: asPercent } });
    const y = option.yAxis as { min: number; max: number; interval: number; nameGap: number };
    // 88.22–88.26%: ticks 88.2%, 88.22%, …, 88.28% (0.0002 apart), the longest six characters.
    expect(y).toMatchObject({ min: 0.882, max: 0.8828, interval: 0.0002 });
    expect(y.nameGap).toBe(Math.ceil(6 * 6.6) + 12);
    expect((option.grid as { left: number }).left).toBe(y.nameGap + 32);
  });

  it('give a lone point a range around it, not from half its value', () => {
    const lone = { ...sparse, points: [{ ...sparse.points[0]!, mean: 0.6949 }] };
    const y = meanStdChartOption([lone], [], { x: { name: 'training FLOPs' }, y: { name: 'test accuracy', format: asPercent } }).yAxis as { min: number; max: number; nameGap: number };
    expect(y).toMatchObject({ min: 0.68, max: 0.71, nameGap: 40 });
  });

  it('label close ticks apart: two decimals of a percent where needed', () => {
    expect([0.8818, 0.882, 0.8822].map(asPercent)).toEqual(['88.18%', '88.2%', '88.22%']);
    expect(asPercent(0.9)).toBe('90%');
  });
});

describe('training curves', () => {
  it('start the x axis at the first point, or at zero for a quantity counted from the start', () => {
    const curve = { name: 'RigL', color: '#c0392b', points: [[4.74e9, 0.7], [9.5e9, 0.8]] as Array<[number, number]> };
    const xMin = (option: ReturnType<typeof curvesOption>) => (option.xAxis as { min: unknown }).min;
    expect(xMin(curvesOption([curve], { x: 'step', y: 'accuracy' }))).toBe('dataMin');
    expect(xMin(curvesOption([curve], { x: 'training FLOPs', y: 'accuracy', xFromZero: true }))).toBe(0);
  });
});
