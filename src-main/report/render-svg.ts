import type { EChartsOption } from 'echarts';
import type { ChartOption } from '../../src-shared/charts/option.js';

export type SvgRenderer = (option: ChartOption, width: number, height: number) => string;

/**
 * Figures as standalone SVG documents, drawn by ECharts' server-side SVG renderer (no DOM, no
 * canvas). ECharts is loaded here, on first use, so that the CLI's other commands start without it.
 */
export async function svgRenderer(): Promise<SvgRenderer> {
  const { init } = await import('echarts');
  return (option, width, height) => {
    const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
    try {
      chart.setOption({ ...option, animation: false, backgroundColor: '#ffffff' } as EChartsOption);
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  };
}
