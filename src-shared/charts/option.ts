/**
 * An ECharts option as a plain object. Figures are built here without importing echarts, so that
 * the renderer (canvas, in a window) and `rigl-lab report` (server-side SVG) draw the same figure
 * from the same builder.
 */
export type ChartOption = Record<string, unknown>;
export type SeriesOption = Record<string, unknown>;
