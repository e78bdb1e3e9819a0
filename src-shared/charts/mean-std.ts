import { errorBarSeries, type ErrorBar } from './error-bars.js';
import { paddedExtent, type AxisLimits, type Extent } from './extent.js';
import type { ChartOption, SeriesOption } from './option.js';
import { AXIS_LINE_COLOR } from './palette.js';
import { heightWithLegend, plotArea, TEXT_STYLE, TOOLTIP_STYLE, valueAxis, wrappedLegend, yNameGap } from './style.js';
import { tooltipHtml } from './tooltip.js';

/** One point of a figure: the mean over seeds with its standard deviation as an error bar. */
export interface MeanStdPoint {
  /** A value on the x axis, or the index of a category. */
  x: number;
  mean: number;
  std: number | null;
  title: string;
  /** Tooltip lines under the title. */
  details: string[];
  /** Written beside the point on the figure itself (e.g. "RigL 2×"). */
  label?: string;
}

export interface MeanStdSeries {
  name: string;
  color: string;
  lineType: 'solid' | 'dashed' | 'dotted';
  symbol: string;
  /** Joined by a line (a method's trade-off), or separate dots. */
  joined: boolean;
  points: MeanStdPoint[];
}

/** A horizontal line across the plot: a baseline without an x of its own (the dense network). */
export interface ReferenceLine {
  name: string;
  color: string;
  y: number;
  label: string;
}

export interface MeanStdAxes {
  x: {
    name: string;
    /** Categories in place of values: points sit at their index, series side by side. */
    categories?: string[];
    min?: number;
    max?: number;
    /** Distance between ticks; ECharts picks one when left out. */
    interval?: number;
    format?: (value: number) => string;
  };
  /**
   * A fixed y range, so that figures meant to be read side by side share one scale; else one
   * around the points that stays `within` its limits.
   */
  y: { name: string; format?: (value: number) => string; extent?: Extent | null; within?: AxisLimits };
}

/**
 * Where the reference lines' labels go, from the highest line down: above the first, below the
 * second, then at the other end, so that the labels of lines at nearly one accuracy (the dense
 * runs of two recipes) do not print over each other.
 */
const REFERENCE_LABEL_SLOTS = ['insideEndTop', 'insideEndBottom', 'insideStartTop', 'insideStartBottom'] as const;

const REFERENCE_LABEL_MAX_PX = 300;

/** The legend's entries: the series, then the reference lines. */
const legendNames = (series: readonly MeanStdSeries[], references: readonly ReferenceLine[]): string[] => [...series.map((s) => s.name), ...references.map((r) => r.name)];

/** How tall a figure of these series must be for its plot to keep the size it has at `height` under a legend of two rows. */
export function meanStdHeight(height: number, series: readonly MeanStdSeries[], references: readonly ReferenceLine[]): number {
  return heightWithLegend(height, legendNames(series, references));
}

/** Sideways distance between the series at one category, in category widths. */
const DODGE = 0.16;

/**
 * Means with ± std error bars against a value or a category axis: accuracy vs sparsity, vs
 * training FLOPs, or side by side per category. Categories sit at whole numbers of a value axis
 * (a category axis would round positions), so that the series of one category can stand a little
 * apart and their error bars do not hide each other.
 */
export function meanStdChartOption(series: readonly MeanStdSeries[], references: readonly ReferenceLine[], axes: MeanStdAxes): ChartOption {
  const categories = axes.x.categories;
  const fixedY = axes.y.extent ?? null;
  const out: SeriesOption[] = [];
  // Only error bars need the room: points without them may share a category's centre.
  const spread = categories && series.some((s) => s.points.some((p) => p.std !== null));
  series.forEach((s, i) => {
    const dodge = spread ? (i - (series.length - 1) / 2) * Math.min(DODGE, 0.7 / Math.max(1, series.length)) : 0;
    const points = [...s.points].sort((a, b) => a.x - b.x).map((p) => ({ ...p, x: p.x + dodge }));
    out.push({
      type: 'line',
      name: s.name,
      data: points.map((p) => ({ value: [p.x, p.mean], tooltip: tooltipHtml(p.title, p.details) })),
      symbol: s.symbol,
      symbolSize: 8,
      lineStyle: { color: s.color, width: s.joined ? 2 : 0, type: s.lineType },
      itemStyle: { color: s.color },
      label: {
        show: points.some((p) => p.label),
        position: 'right',
        distance: 7,
        color: s.color,
        fontSize: 11,
        // On a light backing, so that a line running through a label does not strike it out.
        backgroundColor: 'rgba(255, 255, 255, 0.85)',
        padding: [1, 3],
        formatter: (params: { dataIndex: number }) => points[params.dataIndex]?.label ?? '',
      },
      labelLayout: { hideOverlap: true },
      z: 2,
    });
    const bars: ErrorBar[] = points.filter((p) => p.std !== null).map((p) => [p.x, p.mean - (p.std as number), p.mean + (p.std as number)]);
    if (bars.length > 0) out.push(errorBarSeries(s.name, s.color, bars));
  });
  // A mark line does not widen the y axis; an unseen point at the reference's height, at an x the
  // figure already has, does (a dense run far above the sparse ones stayed off the plot).
  const anchorX = fixedY ? null : (series.find((s) => s.points.length > 0)?.points[0]?.x ?? null);
  const byHeight = [...references].sort((a, b) => b.y - a.y);
  for (const r of references) {
    out.push({
      type: 'line',
      name: r.name,
      data: anchorX === null ? [] : [{ value: [anchorX, r.y] }],
      symbol: 'none',
      silent: true,
      lineStyle: { color: r.color, type: 'dashed' },
      itemStyle: { color: r.color },
      markLine: {
        silent: true,
        // Under the points' labels, which it may cross (a mark line's z is 5 by default).
        z: 1,
        symbol: 'none',
        // ECharts rounds a mark line's value to `precision` decimals (2 by default) before drawing
        // it: a dense line at 0.8971 sat at 90%.
        precision: 6,
        lineStyle: { color: r.color, type: 'dashed', width: 1.5 },
        label: {
          formatter: r.label,
          position: REFERENCE_LABEL_SLOTS[byHeight.indexOf(r) % REFERENCE_LABEL_SLOTS.length],
          color: r.color,
          // Within a half-width plot, so that a long name ends in "…" rather than past the chart's edge.
          width: REFERENCE_LABEL_MAX_PX,
          overflow: 'truncate',
          ellipsis: '…',
        },
        data: [{ yAxis: r.y }],
      },
    });
  }
  // ECharts' own range puts the extreme points on the plot's edges (half cut off) and gives a lone
  // point a range from half its value to one and a half times it.
  const extent = fixedY ?? paddedExtent([...series.flatMap((s) => s.points.flatMap((p) => (p.std === null ? [p.mean] : [p.mean - p.std, p.mean + p.std]))), ...references.map((r) => r.y)], undefined, axes.y.within);
  const formatY = axes.y.format ?? String;
  // The y axis's name stands clear of its widest tick label.
  const nameGap = yNameGap(extent, formatY, 40);
  const legend = wrappedLegend(legendNames(series, references));
  const xAxis = categories
    ? valueAxis(axes.x.name, {
        nameGap: 28,
        scale: false,
        min: -0.5,
        max: categories.length - 0.5,
        splitLine: { show: false },
        axisTick: { customValues: categories.map((_, i) => i) },
        axisLabel: { customValues: categories.map((_, i) => i), formatter: (v: number) => categories[v] ?? '' },
      })
    : valueAxis(axes.x.name, {
        nameGap: 28,
        scale: axes.x.min === undefined,
        ...(axes.x.min !== undefined ? { min: axes.x.min } : {}),
        ...(axes.x.max !== undefined ? { max: axes.x.max } : {}),
        ...(axes.x.interval !== undefined ? { interval: axes.x.interval } : {}),
        axisLabel: { hideOverlap: true, ...(axes.x.format ? { formatter: axes.x.format } : {}) },
      });
  return {
    textStyle: TEXT_STYLE,
    animation: false,
    legend: legend.legend,
    // Labels beside the points need room past the last one.
    grid: plotArea({ top: legend.gridTop, bottom: 46, left: nameGap + 32, right: series.some((s) => s.points.some((p) => p.label)) ? 72 : 22 }),
    tooltip: {
      ...TOOLTIP_STYLE,
      trigger: 'item',
      formatter: (params: { data?: { tooltip?: string } }) => params.data?.tooltip ?? '',
    },
    xAxis,
    yAxis: valueAxis(axes.y.name, {
      // On a value x axis holding 0 the y axis would otherwise stand at x = 0, not at the left edge.
      axisLine: { show: true, onZero: false, lineStyle: { color: AXIS_LINE_COLOR } },
      nameGap,
      ...(extent ? { min: extent.min, max: extent.max, interval: extent.step } : {}),
      axisLabel: axes.y.format ? { formatter: axes.y.format } : {},
    }),
    series: out,
  };
}
