import type { CsvCell } from '../format/csv.js';
import { flopMultiple, meanStdPercent, sparsityLabel } from './format.js';
import type { AccuracyKind, RunGroup } from './groups.js';
import { runTimeCell, runTimeSharedCsv } from './run-time.js';
import { variantOf } from './variants.js';
import { ACCURACY_LABELS, accuracyColumn, accuracyCsvColumns, runTimeCaption, type ViewTable } from './view.js';

export interface GroupTableSpec {
  id: string;
  title: string;
  /** What the rows are, before the caption's account of the columns ("Runs of …; "), or ''. */
  lead: string;
  /** A row's name in its first column. */
  name: (g: RunGroup) => string;
  /** A CSV column after the method's, of what tells the rows apart (the redistribution view's). */
  csvExtra?: { header: string; value: (g: RunGroup) => CsvCell };
}

/**
 * Groups of runs side by side, a row each: name, sparsity, seeds, accuracy mean ± std, training and
 * inference FLOPs, run time (the redistribution view's summary, a sensitivity sweep's baselines).
 */
export function groupTable(groups: readonly RunGroup[], kind: AccuracyKind, spec: GroupTableSpec): ViewTable {
  const sparsity = (g: RunGroup): string => (g.config.method === 'dense' ? '—' : sparsityLabel(g.config.sparsity));
  const extra = spec.csvExtra;
  return {
    id: spec.id,
    title: spec.title,
    caption: `${spec.lead}${ACCURACY_LABELS[kind]}, mean ± std over seeds (percent); FLOPs as multiples of the dense model's; ${runTimeCaption(groups)}`,
    columns: [
      { label: 'Method', numeric: false },
      { label: 'Sparsity', numeric: true },
      { label: 'Seeds', numeric: true },
      accuracyColumn(kind),
      { label: 'Train FLOPs ×', numeric: true },
      { label: 'Inference FLOPs ×', numeric: true },
      { label: 'Run time', numeric: true },
    ],
    rows: groups.map((g) => ({
      key: g.key,
      color: variantOf(g.config).color,
      mark: null,
      cells: [
        spec.name(g),
        sparsity(g),
        String(g.accuracy.n),
        meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n),
        flopMultiple(g.trainFlopsRatio.mean),
        flopMultiple(g.inferenceFlopsRatio.mean),
        runTimeCell(g),
      ],
    })),
    csv: {
      header: ['method', ...(extra ? [extra.header] : []), 'sparsity', 'distribution', 'runs', 'seeds', ...accuracyCsvColumns(kind), 'train_flops_x_dense', 'inference_flops_x_dense', 'run_seconds_mean', 'run_time_shared'],
      rows: groups.map((g) => [
        spec.name(g),
        ...(extra ? [extra.value(g)] : []),
        g.config.method === 'dense' ? 0 : g.config.sparsity,
        g.config.method === 'dense' ? '' : g.config.distribution,
        g.runs.length,
        g.seeds.join(' '),
        g.accuracy.mean,
        g.accuracy.std,
        g.trainFlopsRatio.mean,
        g.inferenceFlopsRatio.mean,
        g.durationS.mean,
        runTimeSharedCsv(g),
      ]),
    },
  };
}
