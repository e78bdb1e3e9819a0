import type { ExperimentRecord, LayerStatRecord, RunRecord } from '../api/records.js';
import type { ChartOption } from '../charts/option.js';
import type { ReportView } from '../config/presets.js';
import type { CsvCell } from '../format/csv.js';
import type { AccuracyKind, RunGroup } from './groups.js';
import { SHARED_MARK } from './run-time.js';

/** What a view is computed from: the experiment, its runs, and the layer histories it asks for (see `layerHistoryRuns`). */
export interface ViewInput {
  experiment: ExperimentRecord;
  runs: readonly RunRecord[];
  layerHistory: ReadonlyMap<number, readonly LayerStatRecord[]>;
  accuracy: AccuracyKind;
}

export type FigureSize = 'half' | 'third' | 'full';

export interface ViewFigure {
  /** Part of its file names: "accuracy-vs-sparsity". */
  id: string;
  title: string;
  caption: string;
  option: ChartOption;
  height: number;
  /** How much of the page's width it takes. */
  size: FigureSize;
  /** Why there is nothing to draw yet; null when the option has data. */
  empty: string | null;
}

export interface TableRow {
  key: string;
  /** The colour of the row's method, for a dot in its first cell. */
  color: string | null;
  cells: string[];
  /** A row the view draws attention to, e.g. the best cell of a sensitivity grid. */
  mark: string | null;
}

/** A table as shown (formatted cells) and as exported (raw numbers, one column per quantity). */
export interface ViewTable {
  id: string;
  title: string;
  caption: string;
  columns: Array<{ label: string; numeric: boolean }>;
  rows: TableRow[];
  csv: { header: string[]; rows: CsvCell[][] };
}

export interface ViewResult {
  view: ReportView;
  figures: ViewFigure[];
  tables: ViewTable[];
  /** Sentences about what the figures are made of (completed runs, which runs are left out). */
  notes: string[];
}

export function completedRuns(runs: readonly RunRecord[]): RunRecord[] {
  return runs.filter((r) => r.status === 'completed');
}

const pending = (runs: readonly RunRecord[]): number => runs.filter((r) => r.status === 'queued' || r.status === 'running').length;

/**
 * "37 of 39 runs completed, 2 queued or training; …": what the figures and tables stand on, and
 * why any run is missing from them (stopped runs do not fill in by themselves).
 */
export function progressNote(runs: readonly RunRecord[]): string {
  const done = completedRuns(runs).length;
  if (runs.length === 0) return 'The experiment has no runs: they have been deleted.';
  if (done === runs.length) return `All ${runs.length} runs completed.`;
  const waiting = pending(runs);
  const stopped = runs.length - done - waiting;
  const parts = [`${done} of ${runs.length} runs completed`];
  if (waiting > 0) parts.push(`${waiting} queued or training`);
  if (stopped > 0) parts.push(`${stopped} stopped (failed, cancelled, interrupted or diverged: the runs list says why; Re-run in the app or \`rigl-lab resume\` includes them)`);
  const use = done === 0 ? 'the figures and tables have no run to show yet' : 'the figures and tables use the completed ones';
  return `${parts.join(', ')}; ${use}${waiting > 0 ? ' and fill in as the rest finish' : ''}.`;
}

export const ACCURACY_LABELS: Record<AccuracyKind, string> = { final: 'final test accuracy', best: 'best test accuracy' };

/** A table's column of mean ± std accuracy, named by its kind where that is the best. */
export const accuracyColumn = (kind: AccuracyKind) => ({ label: kind === 'best' ? 'Best test accuracy' : 'Test accuracy', numeric: true });

/** The CSV columns of a mean ± std accuracy: test_accuracy_mean and _std, best_test_accuracy_… for the best. */
export const accuracyCsvColumns = (kind: AccuracyKind): [string, string] => {
  const name = kind === 'best' ? 'best_test_accuracy' : 'test_accuracy';
  return [`${name}_mean`, `${name}_std`];
};

/** What an empty figure says; the progress note says whether runs are on their way. */
export const WAITING = 'No completed run to show yet (the note on the runs says where they stand).';

/** What the tables' Run time column holds, for their captions; and what its mark means, where `groups` have it. */
export function runTimeCaption(groups: readonly RunGroup[]): string {
  const caption = 'run time: wall clock per run, mean over seeds';
  if (!groups.some((g) => g.timeShared)) return caption;
  return `${caption} (${SHARED_MARK}: some of its runs trained while other runs did, sharing the machine, so the time is not the method's alone)`;
}
