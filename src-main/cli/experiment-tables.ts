import { buildView } from '../../src-shared/report/build-view.js';
import type { ViewTable } from '../../src-shared/report/view.js';
import { loadViewInput } from '../report/load-view.js';
import type { Store } from '../store/index.js';
import { table } from './format.js';

/** Columns the captions and notes are wrapped to. */
const TEXT_WIDTH = 100;

/**
 * An experiment's dashboard tables as terminal text (each with its title and caption), then the
 * view's notes: what a grid's runs came to, side by side, once `rigl-lab run` has trained them.
 */
export function experimentTablesText(store: Store, experimentId: number): string {
  const view = buildView(loadViewInput(store, experimentId, 'final'));
  const notes = view.notes.map((note) => wrapText(note, TEXT_WIDTH));
  return [...view.tables.map(tableText), ...notes, `\`rigl-lab report ${experimentId}\` writes its figures and tables (HTML, CSV, SVG)`].join('\n\n');
}

function tableText(view: ViewTable): string {
  const numeric = view.columns.flatMap((column, i) => (column.numeric ? [i] : []));
  const body = table(
    view.columns.map((c) => c.label),
    view.rows.map((r) => r.cells),
    numeric,
  );
  const caption = view.caption.charAt(0).toUpperCase() + view.caption.slice(1);
  return [view.title, body, wrapText(caption, TEXT_WIDTH)].join('\n');
}

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
export function wrapText(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
