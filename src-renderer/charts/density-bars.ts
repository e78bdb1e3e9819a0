import { count, percent } from '../../src-shared/report/format.js';
import type { ChartOption } from './echarts.js';
import { asPercent, categoryAxis, TEXT_STYLE, TOOLTIP_STYLE, valueAxis, plotArea } from '../../src-shared/charts/style.js';

export interface LayerDensity {
  name: string;
  density: number;
  active: number;
  params: number;
}

/** Names get cramped past this many layers; the tooltip still names each bar. */
const MAX_NAMED_LAYERS = 14;

/**
 * Room under the plot for names written at 35°: about 6 px a character at 10.5 px, of which
 * sin 35° ≈ 0.57 falls downwards. A fixed margin cut WRN's "group1.block1.shortcut" to "ck1.shortcut".
 */
function namesMargin(names: readonly string[]): number {
  const longest = Math.max(0, ...names.map((n) => n.length));
  return Math.min(MAX_NAMES_MARGIN, Math.max(44, 22 + Math.ceil(longest * 6 * 0.57)));
}
const MAX_NAMES_MARGIN = 96;

/** One bar per masked layer, in forward order: its density (active / all weights). */
export function densityBarsOption(layers: readonly LayerDensity[], color: string): ChartOption {
  const named = layers.length <= MAX_NAMED_LAYERS;
  return {
    textStyle: TEXT_STYLE,
    animation: false,
    grid: plotArea({ right: 12, top: 14, bottom: named ? namesMargin(layers.map((l) => l.name)) : 36 }),
    tooltip: {
      ...TOOLTIP_STYLE,
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const first = (params as Array<{ dataIndex: number }>)[0];
        const layer = first ? layers[first.dataIndex] : undefined;
        if (!layer) return '';
        return `<b>${layer.name}</b><br/>density ${percent(layer.density)}<br/>${count(layer.active)} of ${count(layer.params)} weights`;
      },
    },
    xAxis: categoryAxis(
      named ? '' : `${layers.length} masked layers, input to output`,
      layers.map((l, i) => (named ? l.name : String(i + 1))),
      // Past the margin's room a name is cut with an ellipsis, not at the card's edge.
      { axisLabel: { rotate: named ? 35 : 0, fontSize: 10.5, interval: named ? 0 : 'auto', width: (MAX_NAMES_MARGIN - 22) / 0.57, overflow: 'truncate' }, nameGap: 22 },
    ),
    yAxis: valueAxis('density', { min: 0, max: 1, scale: false, axisLabel: { formatter: asPercent } }),
    series: [
      {
        type: 'bar',
        data: layers.map((l) => l.density),
        itemStyle: { color, borderRadius: [2, 2, 0, 0] },
        barMaxWidth: 28,
      },
    ],
  };
}
