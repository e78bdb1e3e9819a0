import type { RunGroup } from '../analysis/groups.js';
import { meanStdPercent, sparsityLabel } from '../format/numbers.js';
import type { ChartOption, SeriesOption } from './echarts.js';
import { errorBarSeries, type ErrorBar } from './error-bars.js';
import { seriesStyles } from './group-style.js';
import { METHOD_COLORS } from './palette.js';
import { asPercent, categoryAxis, TEXT_STYLE, TOOLTIP_STYLE, valueAxis, wrappedLegend, plotArea } from './style.js';

/**
 * Test accuracy against sparsity, one line per method (and whatever else varies), mean ± std
 * over seeds: the figure of the RigL paper. Dense runs have no sparsity, so each dense group is a
 * horizontal reference line across the plot.
 */
export function accuracySparsityOption(groups: readonly RunGroup[]): ChartOption | null {
  const measured = groups.filter((g) => g.accuracy.mean !== null);
  const sparse = measured.filter((g) => g.config.method !== 'dense');
  if (sparse.length === 0) return null;
  const sparsities = [...new Set(sparse.map((g) => g.config.sparsity))].sort((a, b) => a - b);
  const styles = seriesStyles(measured);
  const bySeries = new Map<string, RunGroup[]>();
  for (const g of sparse) bySeries.set(g.seriesLabel, [...(bySeries.get(g.seriesLabel) ?? []), g]);

  const series: SeriesOption[] = [];
  for (const [label, list] of bySeries) {
    const style = styles.get(label);
    const color = style?.color ?? '#888';
    const points = list
      .map((g) => ({ x: sparsities.indexOf(g.config.sparsity), g }))
      .sort((a, b) => a.x - b.x);
    series.push({
      type: 'line',
      name: label,
      data: points.map(({ x, g }) => ({ value: [x, g.accuracy.mean as number], group: g })),
      symbol: style?.symbol ?? 'circle',
      symbolSize: 7,
      lineStyle: { color, width: 2, type: style?.lineType ?? 'solid' },
      itemStyle: { color },
      z: 2,
    });
    const bars: ErrorBar[] = points
      .filter(({ g }) => g.accuracy.std !== null)
      .map(({ x, g }) => [x, (g.accuracy.mean as number) - (g.accuracy.std as number), (g.accuracy.mean as number) + (g.accuracy.std as number)]);
    if (bars.length > 0) series.push(errorBarSeries(label, color, bars));
  }
  for (const g of measured.filter((m) => m.config.method === 'dense')) {
    series.push({
      type: 'line',
      name: g.seriesLabel,
      data: [],
      lineStyle: { color: METHOD_COLORS.dense, type: 'dashed' },
      itemStyle: { color: METHOD_COLORS.dense },
      markLine: {
        silent: true,
        symbol: 'none',
        lineStyle: { color: METHOD_COLORS.dense, type: 'dashed', width: 1.5 },
        label: { formatter: `${g.seriesLabel} ${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)}`, position: 'insideEndTop', color: METHOD_COLORS.dense },
        data: [{ yAxis: g.accuracy.mean as number }],
      },
    });
  }
  const legend = wrappedLegend([...new Set(groups.map((g) => g.seriesLabel))]);
  return {
    textStyle: TEXT_STYLE,
    animation: false,
    legend: legend.legend,
    grid: plotArea({ top: legend.gridTop, bottom: 46 }),
    tooltip: {
      ...TOOLTIP_STYLE,
      trigger: 'item',
      formatter: (params: unknown) => {
        const data = (params as { data?: { group?: RunGroup } }).data;
        const g = data?.group;
        if (!g) return '';
        return `<b>${g.label}</b><br/>test accuracy ${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)}%<br/>${g.accuracy.n} of ${g.runs.length} runs measured · seeds ${g.seeds.join(', ')}`;
      },
    },
    xAxis: categoryAxis('sparsity', sparsities.map(sparsityLabel)),
    yAxis: valueAxis('test accuracy', { axisLabel: { formatter: asPercent } }),
    series,
  };
}
