import type { RunGroup } from '../analysis/groups.js';
import { meanStdPercent, times } from '../format/numbers.js';
import type { ChartOption, SeriesOption } from './echarts.js';
import { errorBarSeries, type ErrorBar } from './error-bars.js';
import { seriesStyles } from './group-style.js';
import { asPercent, TEXT_STYLE, TOOLTIP_STYLE, valueAxis, wrappedLegend, plotArea } from './style.js';

/**
 * Test accuracy against training FLOPs (×dense), mean ± std over seeds; points of one series are
 * joined in FLOP order, so a method's trade-off reads as a line (as in the report's figures).
 */
export function accuracyFlopsOption(groups: readonly RunGroup[]): ChartOption | null {
  const measured = groups.filter((g) => g.accuracy.mean !== null && g.trainFlopsRatio.mean !== null);
  if (measured.length === 0) return null;
  const styles = seriesStyles(measured);
  const bySeries = new Map<string, RunGroup[]>();
  for (const g of measured) bySeries.set(g.seriesLabel, [...(bySeries.get(g.seriesLabel) ?? []), g]);
  const series: SeriesOption[] = [];
  for (const [label, list] of bySeries) {
    const style = styles.get(label);
    const color = style?.color ?? '#888';
    const sorted = [...list].sort((a, b) => (a.trainFlopsRatio.mean as number) - (b.trainFlopsRatio.mean as number));
    series.push({
      type: 'line',
      name: label,
      data: sorted.map((g) => ({ value: [g.trainFlopsRatio.mean as number, g.accuracy.mean as number], group: g })),
      symbol: style?.symbol ?? 'circle',
      symbolSize: 8,
      lineStyle: { color, width: 1.2, type: style?.lineType ?? 'solid', opacity: 0.6 },
      itemStyle: { color },
      z: 2,
    });
    const bars: ErrorBar[] = sorted
      .filter((g) => g.accuracy.std !== null)
      .map((g) => [g.trainFlopsRatio.mean as number, (g.accuracy.mean as number) - (g.accuracy.std as number), (g.accuracy.mean as number) + (g.accuracy.std as number)]);
    if (bars.length > 0) series.push(errorBarSeries(label, color, bars));
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
        const g = (params as { data?: { group?: RunGroup } }).data?.group;
        if (!g) return '';
        return `<b>${g.label}</b><br/>test accuracy ${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)}%<br/>training FLOPs ${times(g.trainFlopsRatio.mean)} dense · inference ${times(g.inferenceFlopsRatio.mean)}`;
      },
    },
    xAxis: valueAxis('training FLOPs (× dense)', { nameGap: 28, scale: false, min: 0, axisLabel: { formatter: (v: number) => `${v}×` } }),
    yAxis: valueAxis('test accuracy', { axisLabel: { formatter: asPercent } }),
    series,
  };
}
