import type { ExperimentRecord } from '../../src-shared/api/records.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { DATASET_INFO } from '../../src-shared/datasets.js';
import type { ViewFigure, ViewResult, ViewTable } from '../../src-shared/report/view.js';

export interface RenderedFigure {
  figure: ViewFigure;
  /** The SVG document, inlined in the page. */
  svg: string | null;
  file: string | null;
}

export interface ReportPage {
  experiment: ExperimentRecord;
  viewLabel: string;
  result: ViewResult;
  figures: RenderedFigure[];
  tables: Array<{ table: ViewTable; file: string }>;
  generatedAt: string;
  source: string;
  version: string;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Inline CSS only: the page must open from a folder with nothing else beside it but its CSV and SVG copies. */
const STYLE = `
:root { color: #1f2937; background: #f4f5f7; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif; }
body { margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0; }
.sub, .caption, footer { color: #6b7280; }
.sub { margin: 0 0 14px; }
.notes { margin: 0 0 18px; padding: 10px 14px; border: 1px solid #c9d9ea; background: #e8eff7; border-radius: 6px; color: #1e3f60; }
.notes p { margin: 2px 0; }
.figures { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 16px; margin-bottom: 20px; }
figure, section.table { margin: 0; background: #fff; border: 1px solid #dfe3e8; border-radius: 6px; padding: 12px 14px; min-width: 0; }
figure.half { grid-column: span 3; }
figure.third { grid-column: span 2; }
figure.full { grid-column: 1 / -1; }
figcaption { margin-bottom: 6px; }
figure svg { display: block; max-width: 100%; height: auto; }
.caption { font-size: 12.5px; }
.empty { color: #6b7280; padding: 40px 0; text-align: center; }
.files { font-size: 12px; margin-top: 6px; }
section.table { margin-bottom: 16px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; margin-top: 8px; }
th { text-align: left; font-size: 12px; color: #6b7280; background: #f9fafb; border-bottom: 1px solid #dfe3e8; padding: 6px 8px; white-space: nowrap; }
td { border-bottom: 1px solid #edf0f3; padding: 5px 8px; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
tr.marked td { background: #fff8e6; }
a { color: #2f5f8f; }
footer { font-size: 12px; margin-top: 24px; }
@media print { :root { background: #fff; } figure, section.table { break-inside: avoid; } }
`;

function figureHtml({ figure, svg, file }: RenderedFigure, n: number): string {
  return `<figure class="${figure.size}" id="figure-${escape(figure.id)}">
<figcaption><h2>Figure ${n}. ${escape(figure.title)}</h2><div class="caption">${escape(figure.caption)}</div></figcaption>
${svg ?? `<div class="empty">${escape(figure.empty ?? '')}</div>`}
${file ? `<div class="files"><a href="${escape(file)}">${escape(file)}</a></div>` : ''}
</figure>`;
}

function tableHtml({ table, file }: { table: ViewTable; file: string }, n: number): string {
  const head = table.columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escape(c.label)}</th>`).join('');
  const body = table.rows
    .map((row) => {
      const cells = row.cells
        .map((cell, i) => {
          const dot = i === 0 && row.color ? `<span class="dot" style="background:${escape(row.color)}"></span>` : '';
          return `<td${table.columns[i]?.numeric ? ' class="num"' : ''}>${dot}${escape(cell)}</td>`;
        })
        .join('');
      return `<tr${row.mark ? ' class="marked"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<section class="table" id="table-${escape(table.id)}">
<h2>Table ${n}. ${escape(table.title)}</h2><div class="caption">${escape(table.caption)}</div>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<div class="files"><a href="${escape(file)}">${escape(file)}</a></div>
</section>`;
}

/** The report as one HTML page: figures inline as SVG, then the tables, then where it came from. */
export function reportHtml(page: ReportPage): string {
  const { experiment } = page;
  const base = resolveRunConfig(experiment.spec.base);
  const title = `${experiment.name}: ${page.viewLabel}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escape(experiment.name)}</h1>
<p class="sub">${escape(page.viewLabel)} · experiment ${experiment.id} · ${escape(DATASET_INFO[base.dataset].label)} · ${escape(base.model)}${
    experiment.preset ? ` · preset ${escape(experiment.preset)}` : ''
  }</p>
${experiment.description ? `<p>${escape(experiment.description)}</p>` : ''}
<div class="notes">${page.result.notes.map((n) => `<p>${escape(n)}</p>`).join('')}</div>
<section class="figures">
${page.figures.map((f, i) => figureHtml(f, i + 1)).join('\n')}
</section>
${page.tables.map((t, i) => tableHtml(t, i + 1)).join('\n')}
<footer>Generated by rigl-lab ${escape(page.version)} report on ${escape(page.generatedAt)} from ${escape(page.source)}.</footer>
</main>
</body>
</html>
`;
}
