import type { RunRecord } from '../../api/records.js';
import { HEATMAP_MARKS, heatmapOption, type HeatmapCell } from '../../charts/heatmap.js';
import { meanStdChartOption, type MeanStdSeries, type ReferenceLine } from '../../charts/mean-std.js';
import { shade, siblingSymbol } from '../../charts/palette.js';
import { accuracyAxis } from '../../charts/style.js';
import type { RunConfig } from '../../config/run.js';
import { comparableKey, NOT_COMPARED } from '../comparable.js';
import { flopMultiple, meanStdPercent, percent } from '../format.js';
import { groupBy } from '../../group-by.js';
import { groupRuns, type AccuracyKind, type RunGroup } from '../groups.js';
import { configLabel, labelFields } from '../labels.js';
import { isFullDense, variantOf } from '../variants.js';
import { DROP_GROW_METHODS } from '../../names.js';
import { groupTable } from '../group-table.js';
import { ACCURACY_LABELS, accuracyColumn, accuracyCsvColumns, completedRuns, progressNote, runTimeCaption, WAITING, type ViewFigure, type ViewInput, type ViewResult, type ViewTable } from '../view.js';
import { runTimeCell, runTimeSharedCsv } from '../run-time.js';

/** The report's (and the RigL paper's) choice: drop 30% at first, update every 100 steps. */
export const REFERENCE_CHOICE = { alpha: 0.3, deltaT: 100 } as const;

export interface SensitivityCell {
  alpha: number;
  deltaT: number;
  group: RunGroup;
  best: boolean;
  reference: boolean;
}

/** One heatmap: the runs that share everything but α, ΔT and the seed. */
export interface SensitivityPanel {
  key: string;
  /** Names what sets this panel apart from the others; empty when there is one panel. */
  label: string;
  alphas: number[];
  deltaTs: number[];
  cells: SensitivityCell[];
}

function panelKey(config: RunConfig): string {
  return comparableKey({ ...config, maskUpdate: { ...config.maskUpdate, alpha: 0, deltaT: 0 } });
}

/** Whether α and ΔT shape a run: SET, SNFS and RigL; other methods in a sweep are baselines. */
const updatesMask = (g: RunGroup): boolean => DROP_GROW_METHODS.includes(g.config.method);

/**
 * The (α, ΔT) cells of each panel, the best cell (highest mean accuracy) marked, and the reference
 * choice; runs of methods that α and ΔT do not touch (dense, static, pruning) are no cell.
 */
export function sensitivityPanels(runs: readonly RunRecord[], kind: 'final' | 'best'): SensitivityPanel[] {
  const groups = groupRuns(runs, kind).filter(updatesMask);
  const byPanel = groupBy(groups, (g) => panelKey(g.config));
  const fields = labelFields(
    groups.map((g) => g.config),
    [...NOT_COMPARED, 'maskUpdate.alpha', 'maskUpdate.deltaT'],
  );
  return [...byPanel.entries()].map(([key, list]) => {
    const best = list.reduce<RunGroup | null>((b, g) => (g.accuracy.mean !== null && (b === null || g.accuracy.mean > (b.accuracy.mean as number)) ? g : b), null);
    const first = list[0] as RunGroup;
    return {
      key,
      label: byPanel.size > 1 ? configLabel(first.config, fields, true) : '',
      alphas: [...new Set(list.map((g) => g.config.maskUpdate.alpha))].sort((a, b) => a - b),
      deltaTs: [...new Set(list.map((g) => g.config.maskUpdate.deltaT))].sort((a, b) => a - b),
      cells: list.map((g) => ({
        alpha: g.config.maskUpdate.alpha,
        deltaT: g.config.maskUpdate.deltaT,
        group: g,
        best: g === best,
        reference: g.config.maskUpdate.alpha === REFERENCE_CHOICE.alpha && g.config.maskUpdate.deltaT === REFERENCE_CHOICE.deltaT,
      })),
    };
  });
}

function panelFigure(panel: SensitivityPanel, index: number, accuracyLabel: string): ViewFigure {
  const cells: HeatmapCell[] = panel.cells.map((c) => ({
    x: panel.deltaTs.indexOf(c.deltaT),
    y: panel.alphas.indexOf(c.alpha),
    value: c.group.accuracy.mean,
    text: c.group.accuracy.mean === null ? '—' : (c.group.accuracy.mean * 100).toFixed(2),
    title: `α ${c.alpha}, ΔT ${c.deltaT}${c.best ? ' (best)' : ''}${c.reference ? ' (reference)' : ''}`,
    details: [
      `${accuracyLabel} ${meanStdPercent(c.group.accuracy.mean, c.group.accuracy.std, c.group.accuracy.n)}%`,
      `seeds ${c.group.seeds.join(', ')} · training FLOPs ${flopMultiple(c.group.trainFlopsRatio.mean)} dense`,
    ],
    best: c.best,
    reference: c.reference,
  }));
  const measured = cells.some((c) => c.value !== null);
  const method = panel.cells[0] ? variantOf(panel.cells[0].group.config).label : 'RigL';
  return {
    id: `alpha-delta-t-heatmap${index === 0 ? '' : `-${index + 1}`}`,
    title: `${method}: test accuracy over α and ΔT${panel.label ? ` · ${panel.label}` : ''}`,
    caption: `${accuracyLabel} in percent, mean over seeds; ${HEATMAP_MARKS} (α ${REFERENCE_CHOICE.alpha}, ΔT ${REFERENCE_CHOICE.deltaT})`,
    option: measured
      ? heatmapOption(cells, {
          x: { name: 'ΔT (steps between mask updates)', categories: panel.deltaTs.map(String) },
          y: { name: 'α (initial drop fraction)', categories: panel.alphas.map(String) },
          format: (v) => percent(v, 1),
        })
      : {},
    height: Math.max(300, 90 + 56 * panel.alphas.length),
    size: 'half',
    empty: measured ? null : WAITING,
  };
}

/** The same cells as lines over ΔT, one per α, with the spread over seeds the heatmap cannot show. */
function panelLines(panel: SensitivityPanel, index: number, accuracyLabel: string, references: readonly ReferenceLine[]): ViewFigure {
  const first = panel.cells[0];
  const color = first ? variantOf(first.group.config).color : '#c8453b';
  const series: MeanStdSeries[] = panel.alphas.map((alpha, i) => ({
    name: `α ${alpha}`,
    color: shade(color, i, panel.alphas.length),
    lineType: 'solid',
    symbol: siblingSymbol(i),
    joined: true,
    points: panel.cells
      .filter((c) => c.alpha === alpha && c.group.accuracy.mean !== null)
      .map((c) => ({
        x: panel.deltaTs.indexOf(c.deltaT),
        mean: c.group.accuracy.mean as number,
        std: c.group.accuracy.std,
        title: `α ${c.alpha}, ΔT ${c.deltaT}`,
        details: [`${accuracyLabel} ${meanStdPercent(c.group.accuracy.mean, c.group.accuracy.std, c.group.accuracy.n)}%`, `seeds ${c.group.seeds.join(', ')}`],
      })),
  }));
  const measured = series.some((s) => s.points.length > 0);
  return {
    id: `accuracy-vs-delta-t${index === 0 ? '' : `-${index + 1}`}`,
    title: `Test accuracy vs ΔT, one line per α${panel.label ? ` · ${panel.label}` : ''}`,
    caption: `${accuracyLabel}, mean ± std over seeds; where there are error bars, the lines at one ΔT stand a little apart`,
    option: measured
      ? meanStdChartOption(series, references, {
          x: { name: 'ΔT (steps between mask updates)', categories: panel.deltaTs.map(String) },
          y: accuracyAxis(accuracyLabel),
        })
      : {},
    height: Math.max(300, 90 + 56 * panel.alphas.length),
    size: 'half',
    empty: measured ? null : WAITING,
  };
}

function sensitivityTable(panels: readonly SensitivityPanel[], kind: AccuracyKind): ViewTable {
  const accuracyLabel = ACCURACY_LABELS[kind];
  const many = panels.length > 1;
  const rows = panels.flatMap((p) => [...p.cells].sort((a, b) => a.alpha - b.alpha || a.deltaT - b.deltaT).map((c) => ({ panel: p, cell: c })));
  const mark = (c: SensitivityCell): string => [c.best ? 'best' : '', c.reference ? 'reference' : ''].filter(Boolean).join(', ');
  return {
    id: 'sensitivity',
    title: 'α and ΔT',
    caption: `${accuracyLabel}, mean ± std over seeds (percent); ${runTimeCaption(rows.map((r) => r.cell.group))}`,
    columns: [
      ...(many ? [{ label: 'Setting', numeric: false }] : []),
      { label: 'α', numeric: true },
      { label: 'ΔT', numeric: true },
      { label: 'Seeds', numeric: true },
      accuracyColumn(kind),
      { label: 'Train FLOPs ×', numeric: true },
      { label: 'Run time', numeric: true },
      { label: '', numeric: false },
    ],
    rows: rows.map(({ panel, cell }) => ({
      key: cell.group.key,
      color: null,
      mark: mark(cell) || null,
      cells: [
        ...(many ? [panel.label] : []),
        String(cell.alpha),
        String(cell.deltaT),
        String(cell.group.accuracy.n),
        meanStdPercent(cell.group.accuracy.mean, cell.group.accuracy.std, cell.group.accuracy.n),
        flopMultiple(cell.group.trainFlopsRatio.mean),
        runTimeCell(cell.group),
        mark(cell),
      ],
    })),
    csv: {
      header: ['setting', 'alpha', 'delta_t', 'runs', 'seeds', ...accuracyCsvColumns(kind), 'train_flops_x_dense', 'run_seconds_mean', 'run_time_shared', 'best', 'reference'],
      rows: rows.map(({ panel, cell }) => [
        panel.label,
        cell.alpha,
        cell.deltaT,
        cell.group.runs.length,
        cell.group.seeds.join(' '),
        cell.group.accuracy.mean,
        cell.group.accuracy.std,
        cell.group.trainFlopsRatio.mean,
        cell.group.durationS.mean,
        runTimeSharedCsv(cell.group),
        cell.best ? 1 : 0,
        cell.reference ? 1 : 0,
      ]),
    },
  };
}

/** The runs a sweep holds beside its cells (dense, static, pruning), named by what sets them apart from each other. */
function baselinesTable(baselines: readonly RunGroup[], kind: AccuracyKind): ViewTable {
  const fields = labelFields(baselines.map((g) => g.config));
  return groupTable(baselines, kind, {
    id: 'baselines',
    title: 'Baselines',
    lead: 'Runs of methods that α and ΔT do not change, beside the sweep; ',
    name: (g) => configLabel(g.config, fields, false),
  });
}

export function sensitivityView(input: ViewInput): ViewResult {
  const accuracyLabel = ACCURACY_LABELS[input.accuracy];
  const completed = completedRuns(input.runs);
  const panels = sensitivityPanels(completed, input.accuracy);
  const baselines = groupRuns(completed, input.accuracy).filter((g) => !updatesMask(g));
  // Dense runs, as a dashed line on each panel's lines (the methods view draws them so too).
  const references: ReferenceLine[] = baselines
    .filter((g) => isFullDense(g.config) && g.accuracy.mean !== null)
    .map((g) => ({ name: g.label, color: variantOf(g.config).color, y: g.accuracy.mean as number, label: `${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)} ${g.label}` }));
  const figures = panels.flatMap((p, i) => [panelFigure(p, i, accuracyLabel), panelLines(p, i, accuracyLabel, references)]);
  return {
    view: 'sensitivity',
    figures: figures.length > 0 ? figures : [{ id: 'alpha-delta-t-heatmap', title: 'Test accuracy over α and ΔT', caption: '', option: {}, height: 300, size: 'half', empty: WAITING }],
    tables: [...(panels.length > 0 ? [sensitivityTable(panels, input.accuracy)] : []), ...(baselines.length > 0 ? [baselinesTable(baselines, input.accuracy)] : [])],
    notes: [progressNote(input.runs)],
  };
}
