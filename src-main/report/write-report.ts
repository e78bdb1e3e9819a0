import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toCsv } from '../../src-shared/format/csv.js';
import { REPORT_VIEW_LABELS } from '../../src-shared/config/presets.js';
import { buildView } from '../../src-shared/report/build-view.js';
import type { FigureSize, ViewInput } from '../../src-shared/report/view.js';
import { VERSION } from '../version.js';
import { svgRenderer } from './render-svg.js';
import { reportHtml, type RenderedFigure } from './report-html.js';

/** Drawing widths in the report's 1132-pixel column (less the figure's padding). */
const FIGURE_WIDTHS: Record<FigureSize, number> = { full: 1100, half: 530, third: 340 };

export interface WrittenReport {
  dir: string;
  index: string;
  /** Every file written, index.html first, relative to `dir`. */
  files: string[];
}

/**
 * Writes an experiment's view to `dir`: index.html with every figure inline, one SVG per figure
 * and one CSV per table, from the same src-shared builders the dashboard draws with.
 */
export async function writeReport(input: ViewInput, dir: string, source: string, now: Date = new Date()): Promise<WrittenReport> {
  const result = buildView(input);
  await mkdir(dir, { recursive: true });
  const renderSvg = await svgRenderer();
  const files: string[] = [];
  const figures: RenderedFigure[] = [];
  for (const figure of result.figures) {
    if (figure.empty !== null) {
      figures.push({ figure, svg: null, file: null });
      continue;
    }
    const svg = renderSvg(figure.option, FIGURE_WIDTHS[figure.size], figure.height);
    const file = `${figure.id}.svg`;
    await writeFile(join(dir, file), svg);
    files.push(file);
    figures.push({ figure, svg, file });
  }
  const tables = [];
  for (const table of result.tables) {
    const file = `${table.id}.csv`;
    await writeFile(join(dir, file), toCsv(table.csv.header, table.csv.rows));
    files.push(file);
    tables.push({ table, file });
  }
  const html = reportHtml({
    experiment: input.experiment,
    viewLabel: REPORT_VIEW_LABELS[result.view],
    result,
    figures,
    tables,
    generatedAt: now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    source,
    version: VERSION,
  });
  const index = join(dir, 'index.html');
  await writeFile(index, html);
  return { dir, index, files: ['index.html', ...files] };
}
