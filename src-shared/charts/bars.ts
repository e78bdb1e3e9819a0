import type { ChartOption } from './option.js';
import { categoryAxis, plotArea, TEXT_STYLE, TOOLTIP_STYLE, valueAxis, wrappedLegend } from './style.js';
import { tooltipHtml } from './tooltip.js';

export interface BarSeries {
  name: string;
  color: string;
  /** One value per category; null where the series has none. */
  values: Array<{ value: number; label: string; title: string; details: string[] } | null>;
}

/** Grouped bars from zero, each with its value written on top: quantities such as training FLOPs ×dense. */
export function barsOption(series: readonly BarSeries[], axes: { x: { name: string; categories: string[] }; y: { name: string; format: (v: number) => string } }): ChartOption {
  const legend = wrappedLegend(series.map((s) => s.name));
  return {
    textStyle: TEXT_STYLE,
    animation: false,
    legend: legend.legend,
    grid: plotArea({ top: legend.gridTop + 6, bottom: 46 }),
    tooltip: {
      ...TOOLTIP_STYLE,
      trigger: 'item',
      formatter: (params: { data?: { tooltip?: string } }) => params.data?.tooltip ?? '',
    },
    xAxis: categoryAxis(axes.x.name, axes.x.categories),
    yAxis: valueAxis(axes.y.name, { nameGap: 50, scale: false, min: 0, axisLabel: { formatter: axes.y.format } }),
    series: series.map((s) => ({
      type: 'bar',
      name: s.name,
      barMaxWidth: 42,
      itemStyle: { color: s.color, borderRadius: [2, 2, 0, 0] },
      label: { show: true, position: 'top', fontSize: 11, color: s.color },
      data: s.values.map((v) =>
        v === null ? '-' : { value: v.value, label: { formatter: v.label }, tooltip: tooltipHtml(v.title, v.details) },
      ),
    })),
  };
}
