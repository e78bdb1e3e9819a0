import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { init, use, type EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from '../../src-shared/charts/option.js';

// Only what the dashboards draw, so the bundle carries no unused chart types.
use([
  LineChart,
  BarChart,
  ScatterChart,
  CustomChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  DataZoomComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export type { ChartOption };

/** Options are built in src-shared as plain objects (no echarts types there); ECharts checks them as it reads them. */
export function asEChartsOption(option: ChartOption): EChartsCoreOption {
  return option as EChartsCoreOption;
}

export { init };
