import type { SeriesOption } from './option.js';

/** [x, low, high]: x is a category index or a value, low and high in the y axis's units. */
export type ErrorBar = [number, number, number];

/** The part of ECharts' custom-series api that drawing an error bar needs. */
interface CustomSeriesApi {
  value(dimension: number): number | string;
  coord(point: Array<number | string>): number[];
}

const CAP_HALF_WIDTH = 5;

/**
 * Vertical error bars (mean ± std) drawn by a custom series, since ECharts has none built in.
 * Named like the line it belongs to, so that the legend shows and hides both together.
 */
export function errorBarSeries(name: string, color: string, bars: ErrorBar[]): SeriesOption {
  return {
    type: 'custom',
    name,
    data: bars,
    silent: true,
    z: 1,
    encode: { x: 0, y: [1, 2] },
    renderItem: (_params: unknown, api: CustomSeriesApi) => {
      const x = api.value(0);
      const [lx, ly] = api.coord([x, api.value(1)]);
      const [hx, hy] = api.coord([x, api.value(2)]);
      if (lx === undefined || ly === undefined || hx === undefined || hy === undefined) return null;
      const style = { stroke: color, lineWidth: 1.4 };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: lx, y1: ly, x2: hx, y2: hy }, style },
          { type: 'line', shape: { x1: lx - CAP_HALF_WIDTH, y1: ly, x2: lx + CAP_HALF_WIDTH, y2: ly }, style },
          { type: 'line', shape: { x1: hx - CAP_HALF_WIDTH, y1: hy, x2: hx + CAP_HALF_WIDTH, y2: hy }, style },
        ],
      };
    },
  };
}
