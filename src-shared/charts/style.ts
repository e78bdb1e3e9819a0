import { shortPercent } from '../report/format.js';
import type { ChartOption } from './option.js';
import { tickValues, type AxisLimits, type Extent } from './extent.js';
import { AXIS_COLOR, AXIS_LINE_COLOR, GRID_LINE_COLOR, TEXT_COLOR } from './palette.js';

/** The look every chart shares, so that exported figures match one another. */
const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif";

export const TEXT_STYLE = { fontFamily: FONT_FAMILY, color: TEXT_COLOR, fontSize: 12 };

export const TOOLTIP_STYLE = {
  confine: true,
  backgroundColor: 'rgba(255, 255, 255, 0.97)',
  borderColor: '#d1d5db',
  textStyle: { color: TEXT_COLOR, fontSize: 12, fontFamily: FONT_FAMILY },
  extraCssText: 'box-shadow: 0 2px 8px rgb(0 0 0 / 0.12);',
};

/** Width of a character of a y tick label (12 px), for the room the axis's name leaves them. */
const Y_LABEL_CHAR_PX = 6.6;

/**
 * The gap between a y axis and its name that clears the widest tick label of `extent` as `format`
 * writes it ("0.00007" needs more than "80%"), at least `least`; the plot's left edge must then lie
 * further in by the name's height and a margin.
 */
export function yNameGap(extent: Extent | null, format: (value: number) => string, least: number): number {
  const labelChars = extent ? Math.max(...tickValues(extent).map((v) => format(v).length)) : 4;
  return Math.max(least, Math.ceil(labelChars * Y_LABEL_CHAR_PX) + 12);
}

/**
 * The plot rectangle exactly where it is asked to be. ECharts 6 otherwise moves it to fit its
 * outer bounds, which made the space under a multi-line legend unpredictable. On the left, room
 * for y labels as wide as "80.5%" and the axis name beyond them: ECharts moves the name clear of
 * the labels, and with less room it went past the canvas's edge ("final test accuracy" was cut).
 */
export function plotArea(margins: { top: number; bottom: number; left?: number; right?: number }) {
  return { left: 72, right: 22, ...margins, outerBoundsMode: 'none' as const };
}

interface AxisExtra {
  axisLabel?: Record<string, unknown>;
  [option: string]: unknown;
}

/** A value axis with a name at the middle of the axis, light grid lines and muted labels. */
export function valueAxis(name: string, { axisLabel, ...extra }: AxisExtra = {}) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 40,
    nameTextStyle: { color: AXIS_COLOR, fontSize: 12 },
    axisLine: { show: true, lineStyle: { color: AXIS_LINE_COLOR } },
    splitLine: { lineStyle: { color: GRID_LINE_COLOR } },
    scale: true,
    ...extra,
    axisLabel: { color: AXIS_COLOR, ...axisLabel },
  };
}

export function categoryAxis(name: string, data: string[], { axisLabel, ...extra }: AxisExtra = {}) {
  return {
    type: 'category' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 28,
    nameTextStyle: { color: AXIS_COLOR, fontSize: 12 },
    data,
    axisLine: { lineStyle: { color: AXIS_LINE_COLOR } },
    axisTick: { alignWithLabel: true },
    ...extra,
    axisLabel: { color: AXIS_COLOR, ...axisLabel },
  };
}

export const LEGEND_STYLE = {
  type: 'scroll' as const,
  top: 0,
  left: 'center' as const,
  itemWidth: 18,
  itemHeight: 10,
  textStyle: { color: TEXT_COLOR, fontSize: 12 },
};

/** Width a legend row has in a chart half the content width, and what one entry takes (12 px text). */
const LEGEND_ROW_PX = 430;
const LEGEND_CHAR_PX = 6.8;
const LEGEND_ENTRY_PX = 34;
/** Height of a legend row, and the room above the first and under the last. */
const LEGEND_ROW_HEIGHT = 21;
const LEGEND_EDGE_PX = 14;
/** Names longer than a row end in "…" (the full name on hover), rather than run past both edges of the chart. */
const LEGEND_TEXT_MAX_PX = LEGEND_ROW_PX - LEGEND_ENTRY_PX;

/** How many rows a wrapping legend of these names takes in rows `rowPx` wide, estimated from the lengths of the names. */
function legendRows(names: readonly string[], rowPx: number): number {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const width = Math.min(name.length * LEGEND_CHAR_PX, LEGEND_TEXT_MAX_PX) + LEGEND_ENTRY_PX;
    if (used > 0 && used + width > rowPx) {
      rows++;
      used = 0;
    }
    used += width;
  }
  return rows;
}

/** The space above the plot that a wrapping legend of these names takes. */
function legendTop(names: readonly string[], rowPx: number): number {
  return LEGEND_EDGE_PX + legendRows(names, rowPx) * LEGEND_ROW_HEIGHT;
}

const PLAIN_LEGEND = {
  ...LEGEND_STYLE,
  type: 'plain' as const,
  textStyle: { ...LEGEND_STYLE.textStyle, width: LEGEND_TEXT_MAX_PX, overflow: 'truncate' as const, ellipsis: '…' },
  tooltip: { show: true },
};

/**
 * A legend that shows every entry (no paging) for the figures, and the top margin its rows need,
 * estimated from the lengths of the labels: figures are exported, so no entry may hide.
 */
export function wrappedLegend(names: readonly string[]) {
  return { legend: PLAIN_LEGEND, gridTop: legendTop(names, LEGEND_ROW_PX) };
}

/** Legend rows a figure's height is meant to hold; it grows by the height of any more, so that the plot keeps its size. */
const LEGEND_ROWS_IN_HEIGHT = 2;

/** The height of a figure with a wrapping legend of these names, `height` being its height with up to two rows. */
export function heightWithLegend(height: number, names: readonly string[]): number {
  return height + Math.max(0, legendRows(names, LEGEND_ROW_PX) - LEGEND_ROWS_IN_HEIGHT) * LEGEND_ROW_HEIGHT;
}

/** The names a legend shows: its own list, else the series' names, each once. */
function legendNames(legend: Record<string, unknown>, series: unknown): string[] {
  if (Array.isArray(legend.data)) return legend.data.map(String);
  const all = Array.isArray(series) ? (series as Array<{ name?: unknown }>) : [];
  return [...new Set(all.flatMap((s) => (typeof s.name === 'string' && s.name !== '' ? [s.name] : [])))];
}

/**
 * The chart as a file must show what the screen pages through: a paging (scroll) legend becomes a
 * wrapping one over the file's width, the plot moved down under its rows and the file made taller
 * by as much, so that the plot keeps its size. Other charts are returned as they are.
 */
export function unpagedLegend(option: ChartOption, width: number): { option: ChartOption; extraHeight: number } {
  const legend = option.legend as Record<string, unknown> | undefined;
  const grid = option.grid as { top?: unknown } | undefined;
  if (!legend || legend.type !== 'scroll' || legend.show === false || typeof grid?.top !== 'number') return { option, extraHeight: 0 };
  const top = legendTop(legendNames(legend, option.series), width - 2 * LEGEND_EDGE_PX);
  const extraHeight = Math.max(0, top - grid.top);
  return { option: { ...option, legend: { ...legend, ...PLAIN_LEGEND }, grid: { ...grid, top: grid.top + extraHeight } }, extraHeight };
}

/** Axis-label formatters. */
export const asPercent = shortPercent;

/** Where an accuracy (a fraction) can lie. */
export const ACCURACY_LIMITS: AxisLimits = { min: 0, max: 1 };

/** A y axis of accuracies: in percent, never past 0 or 100%. */
export function accuracyAxis(name: string): { name: string; format: (value: number) => string; within: AxisLimits } {
  return { name, format: asPercent, within: ACCURACY_LIMITS };
}
