import type { ChartOption, SeriesOption } from './option.js';
import { compact } from '../report/format.js';
import { paddedExtent } from './extent.js';
import { LEGEND_STYLE, TEXT_STYLE, TOOLTIP_STYLE, valueAxis, plotArea, yNameGap } from './style.js';

export interface Curve {
  name: string;
  color: string;
  /** [x, y]; y null where training produced NaN (a gap in the line). */
  points: Array<[number, number | null]>;
  /** Solid unless set: tells apart lines of one colour (runs of one method). */
  lineType?: 'solid' | 'dashed' | 'dotted';
  /** The points' marker (ECharts' symbol name), an empty circle unless set. */
  symbol?: string;
  /** A value that holds until the next point (drawn as steps, not slopes). */
  stepped?: boolean;
  /** Line width in pixels, LINE_WIDTH unless set. */
  width?: number;
  /** Separate events (a mask update, a pruning event): a marker each, no line between them. */
  unjoined?: boolean;
}

export const LINE_WIDTH = 1.6;

/** Pixels that must separate two x-axis labels for them to read as two numbers. */
const X_LABEL_GAP = 24;

const EXACT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Below this many points a line gets a marker on each, so a single point is still seen. */
const MARKED_POINTS = 30;

export interface CurveAxes {
  x: string;
  y: string;
  formatX?: (value: number) => string;
  formatY?: (value: number) => string;
  /** Start the x axis at zero instead of at the first point (a quantity counted from the start: FLOPs, time). */
  xFromZero?: boolean;
  /** Counted x (steps, epochs): ticks at whole numbers only, not at 1.5. */
  xWhole?: boolean;
  /** Start the y axis at zero instead of fitting the data. */
  yFromZero?: boolean;
  /** A fixed y range, so that charts meant to be read side by side share one scale. */
  yRange?: [number, number];
  /** Where the x axis ends (a run's last step) when the points stop short of it; the last point otherwise. */
  xMax?: number;
}

/** The x axis of a run's curves: training steps, counted from 0 (its first logged step would put ticks at 5, 20, 40). */
export const STEP_AXIS = {
  x: 'step',
  // A tick is a round number: "1.2 k", not the "1.20 k" that lines up in a table.
  formatX: (v: number): string => compact(v, '', true),
  xWhole: true,
  xFromZero: true,
} satisfies Partial<CurveAxes>;

/** Lines on shared axes, for training curves of one run or many. */
export function curvesOption(curves: readonly Curve[], axes: CurveAxes): ChartOption {
  const series: SeriesOption[] = curves.map((c) => ({
    type: 'line',
    name: c.name,
    data: c.points,
    showSymbol: c.unjoined === true || c.points.length <= MARKED_POINTS,
    symbol: c.symbol ?? 'emptyCircle',
    symbolSize: 5,
    connectNulls: false,
    sampling: 'lttb',
    ...(c.stepped ? { step: 'end' as const } : {}),
    lineStyle: { color: c.color, width: c.unjoined ? 0 : (c.width ?? LINE_WIDTH), type: c.lineType ?? 'solid' },
    itemStyle: { color: c.color },
    emphasis: { focus: 'series' },
  }));
  // A count reads exactly (step 1,304, epoch 1.5); other quantities as their axis labels do.
  const tooltipX = axes.xWhole ? (v: number) => EXACT.format(v) : axes.formatX;
  // The y axis's name clear of its widest tick label (a learning rate of 0.00007 took it past the card's edge).
  const ys = curves.flatMap((c) => c.points.flatMap(([, y]) => (y === null ? [] : [y])));
  const extent = paddedExtent(axes.yRange ?? (axes.yFromZero ? [0, ...ys] : ys));
  const nameGap = yNameGap(extent, axes.formatY ?? String, 48);
  return {
    textStyle: TEXT_STYLE,
    animation: false,
    legend: { ...LEGEND_STYLE, show: curves.length > 1 },
    grid: plotArea({ top: curves.length > 1 ? 36 : 14, bottom: 44, left: Math.max(72, nameGap + 24) }),
    tooltip: {
      ...TOOLTIP_STYLE,
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' && axes.formatY ? axes.formatY(v) : String(v ?? '—')),
    },
    xAxis: valueAxis(axes.x, {
      nameGap: 28,
      scale: false,
      min: axes.xFromZero ? 0 : 'dataMin',
      max: axes.xMax ?? 'dataMax',
      ...(axes.xWhole ? { minInterval: 1 } : {}),
      // The tooltip's heading; ECharts' own adds two decimals to the tick's ("1,300.00").
      ...(tooltipX ? { axisPointer: { label: { formatter: ({ value }: { value: number }) => tooltipX(value) } } } : {}),
      // The ends sit at the data, off the tick grid, so a label there can come a few pixels from
      // its neighbour ("50 60"): a gap under X_LABEL_GAP counts as an overlap. The last step is
      // always labelled, its neighbour hidden instead (else both went, and an axis to step 168
      // read 0…120).
      axisLabel: { hideOverlap: true, showMaxLabel: true, minMargin: X_LABEL_GAP, ...(axes.formatX ? { formatter: axes.formatX } : {}) },
    }),
    yAxis: valueAxis(axes.y, {
      nameGap,
      scale: !axes.yFromZero,
      ...(axes.yRange ? { min: axes.yRange[0], max: axes.yRange[1] } : {}),
      axisLabel: { ...(axes.formatY ? { formatter: axes.formatY } : {}) },
    }),
    series,
  };
}
