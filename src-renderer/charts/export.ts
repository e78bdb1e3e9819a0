import { unpagedLegend } from '../../src-shared/charts/style.js';
import { downloadBlob } from '../format/download.js';
import { asEChartsOption, init, type ChartOption } from './echarts.js';

export type ChartFileType = 'png' | 'svg';

/**
 * Renders a chart's option again off screen, without animation, and downloads it: PNG at twice
 * the screen size for slides, SVG (ECharts' SVG renderer) for papers. A legend the screen pages
 * through is drawn whole, the file taller by its extra rows.
 */
export function exportChart(option: ChartOption, fileName: string, type: ChartFileType, width: number, screenHeight: number): void {
  const printable = unpagedLegend(option, width);
  const height = screenHeight + printable.extraHeight;
  const still: ChartOption = { ...printable.option, animation: false, backgroundColor: '#ffffff' };
  if (type === 'svg') {
    const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
    chart.setOption(asEChartsOption(still));
    const svg = chart.renderToSVGString();
    chart.dispose();
    downloadBlob(`${fileName}.svg`, new Blob([svg], { type: 'image/svg+xml' }));
    return;
  }
  const host = document.createElement('div');
  const chart = init(host, null, { renderer: 'canvas', width, height });
  chart.setOption(asEChartsOption(still));
  // A canvas, not a data: URL, so that nothing needs fetching under the CSP's connect-src.
  const canvas = chart.renderToCanvas({ pixelRatio: 2, backgroundColor: '#ffffff' });
  chart.dispose();
  canvas.toBlob((blob) => {
    if (blob) downloadBlob(`${fileName}.png`, blob);
  }, 'image/png');
}
