import type { ChartOption } from './option.js';
import { AXIS_COLOR, TEXT_COLOR } from './palette.js';
import { categoryAxis, plotArea, TEXT_STYLE, TOOLTIP_STYLE } from './style.js';
import { tooltipHtml } from './tooltip.js';

export interface HeatmapCell {
  /** Indexes into the x and y categories. */
  x: number;
  y: number;
  /** null for a cell with no completed run yet. */
  value: number | null;
  /** Written in the cell. */
  text: string;
  title: string;
  details: string[];
  best: boolean;
  reference: boolean;
}

export interface HeatmapAxes {
  x: { name: string; categories: string[] };
  y: { name: string; categories: string[] };
  /** How the colour scale's ends read. */
  format: (value: number) => string;
}

/** Light to dark blue: a sequential scale that prints in grey and reads for colour-blind readers. */
const SCALE = ['#eef3f9', '#b9cde4', '#7ea3cc', '#4878ae', '#244f80'];
const BEST_BORDER = '#111827';
const REFERENCE_BORDER = '#e09b3d';

/**
 * A grid of accuracies over two hyper-parameters. The best cell has a thick dark border and a ★,
 * the reference choice an orange dashed one (both when they coincide), as the caption explains.
 */
export function heatmapOption(cells: readonly HeatmapCell[], axes: HeatmapAxes): ChartOption {
  const values = cells.flatMap((c) => (c.value === null ? [] : [c.value]));
  const min = values.length > 0 ? Math.min(...values) : 0;
  const max = values.length > 0 ? Math.max(...values) : 1;
  return {
    textStyle: TEXT_STYLE,
    animation: false,
    grid: plotArea({ top: 24, bottom: 50, left: 70, right: 92 }),
    tooltip: {
      ...TOOLTIP_STYLE,
      trigger: 'item',
      formatter: (params: { data?: { tooltip?: string } }) => params.data?.tooltip ?? '',
    },
    xAxis: categoryAxis(axes.x.name, axes.x.categories, { splitArea: { show: false }, axisTick: { show: false } }),
    yAxis: { ...categoryAxis(axes.y.name, axes.y.categories, { axisTick: { show: false } }), nameGap: 44, nameRotate: 90 },
    visualMap: {
      type: 'continuous',
      min,
      // A flat grid (one cell, or equal accuracies) still needs a scale of non-zero width.
      max: max > min ? max : min + 1e-6,
      dimension: 2,
      calculable: false,
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemHeight: 140,
      itemWidth: 12,
      text: [axes.format(max), axes.format(min)],
      textStyle: { color: AXIS_COLOR, fontSize: 11 },
      inRange: { color: SCALE },
    },
    series: [
      {
        type: 'heatmap',
        data: cells.map((c) => ({
          value: [c.x, c.y, c.value ?? '-'],
          tooltip: tooltipHtml(c.title, c.details),
          label: {
            show: true,
            formatter: `${c.best ? '★ ' : ''}${c.text}`,
            fontWeight: c.best ? 'bold' : 'normal',
            fontSize: 12,
            // Dark text on the light half of the scale, white on the dark half.
            color: c.value !== null && max > min && (c.value - min) / (max - min) > 0.55 ? '#ffffff' : TEXT_COLOR,
          },
          itemStyle: {
            borderColor: c.best ? BEST_BORDER : c.reference ? REFERENCE_BORDER : '#ffffff',
            borderWidth: c.best || c.reference ? 3 : 1,
            borderType: c.reference && !c.best ? 'dashed' : 'solid',
          },
        })),
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0, 0, 0, 0.25)' } },
      },
    ],
  };
}

/** The caption that says what the marks mean. */
export const HEATMAP_MARKS = '★ and a dark border mark the best cell; an orange dashed border the reference choice';
