import { shortPercent } from '../report/format.js';
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

/**
 * A legend that shows every entry (no paging) for the figures, and the top margin its rows need,
 * estimated from the lengths of the labels: figures are exported, so no entry may hide.
 */
export function wrappedLegend(names: readonly string[]) {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const width = name.length * LEGEND_CHAR_PX + LEGEND_ENTRY_PX;
    if (used > 0 && used + width > LEGEND_ROW_PX) {
      rows++;
      used = 0;
    }
    used += width;
  }
  return { legend: { ...LEGEND_STYLE, type: 'plain' as const }, gridTop: 14 + rows * 21 };
}

/** Axis-label formatters. */
export const asPercent = shortPercent;
