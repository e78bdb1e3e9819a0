import { meanStdChartOption, meanStdHeight, type MeanStdSeries, type ReferenceLine } from '../../charts/mean-std.js';
import { accuracyAxis, asPercent } from '../../charts/style.js';
import type { RunConfig } from '../../config/run.js';
import { DISTRIBUTION_LABELS } from '../../names.js';
import { smallDenseMatchedSparsity } from '../../sparsity/matching.js';
import { NOT_COMPARED } from '../comparable.js';
import { groupDetails, groupSeries, trainingFlopsAxis } from '../figure-series.js';
import { flopMultiple, meanStdPercent, sparsityLabel, times } from '../format.js';
import { groupRuns, type AccuracyKind, type RunGroup } from '../groups.js';
import { labelFields, otherFields, unsaidValues, type LabelFields } from '../labels.js';
import { runTimeCell, runTimeSharedCsv, timeVsDense } from '../run-time.js';
import { seriesFields, seriesOfGroups } from '../series-style.js';
import { isFullDense, isSmallDense, variantOf } from '../variants.js';
import { ACCURACY_LABELS, accuracyColumn, accuracyCsvColumns, completedRuns, progressNote, runTimeCaption, WAITING, type ViewFigure, type ViewInput, type ViewResult, type ViewTable } from '../view.js';

/** Where a group stands on the sparsity axis: its sparsity, or for Small-Dense the sparsity its parameter count matches. */
export function placedSparsity(config: RunConfig): number {
  return isSmallDense(config) ? smallDenseMatchedSparsity(config, config.widthMultiplier) : config.sparsity;
}

/** Tick distances the sparsity axis may take: round percentages. */
const SPARSITY_STEPS = [0.01, 0.02, 0.05, 0.1];
const MAX_SPARSITY_TICKS = 6;

/**
 * Room either side of the sparsities on the x axis, so that end points and their error bars stay
 * inside, with ends and ticks on the finest round step that gives at most six intervals.
 */
function sparsityRange(xs: readonly number[]): { min: number; max: number; interval: number } {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pad = Math.max(0.01, (hi - lo) * 0.08);
  const round = (v: number) => Number(v.toFixed(4));
  const ends = (step: number) => ({ min: Math.max(0, round(Math.floor((lo - pad) / step) * step)), max: Math.min(1, round(Math.ceil((hi + pad) / step) * step)), interval: step });
  const fits = SPARSITY_STEPS.map(ends).find((r) => (r.max - r.min) / r.interval <= MAX_SPARSITY_TICKS + 1e-9);
  return fits ?? ends(0.1);
}

/** Sideways step between the series at one sparsity, and the widest all of them may spread, as fractions of the axis. */
const DODGE_STEP = 0.025;
const DODGE_SPREAD = 0.12;

/**
 * Series set a little apart along the sparsity axis, in legend order, so that methods at one
 * sparsity (every method, when the runs share one) do not hide each other's markers and error
 * bars. The tooltips say the true sparsity.
 */
function dodged(series: readonly MeanStdSeries[], axisSpan: number): MeanStdSeries[] {
  const step = axisSpan * Math.min(DODGE_STEP, DODGE_SPREAD / Math.max(1, series.length - 1));
  const centre = (series.length - 1) / 2;
  return series.map((s, i) => ({ ...s, points: s.points.map((p) => ({ ...p, x: p.x + (i - centre) * step })) }));
}

/** Points of two series nearer than this share of the x axis hide each other's markers and error bars. */
const SAME_X = 0.005;
/** Sideways step between the points that meet at one x of a value axis (training FLOPs), as a fraction of the axis. */
const MEET_STEP = 0.015;

/**
 * Points that (nearly) meet at one x set apart. A run of n points, each within SAME_X of the one
 * before, is spread over n steps in the order of their x (ties in legend order); a run whose
 * spread would come that near another point or run joins it, so that no point lands on another.
 * Points that meet no other stay where they are. Null when none meet.
 */
function dodgedWhereTheyMeet(series: readonly MeanStdSeries[], axisSpan: number): MeanStdSeries[] | null {
  const near = SAME_X * axisSpan;
  const step = MEET_STEP * axisSpan;
  const points = series.flatMap((s, i) => s.points.map((p, j) => ({ i, j, x: p.x }))).sort((a, b) => a.x - b.x || a.i - b.i);
  type Run = { first: number; end: number; lo: number; hi: number };
  const spread = (first: number, end: number): Run => {
    const half = ((end - first - 1) / 2) * step;
    return { first, end, lo: points[first]!.x - half, hi: points[end - 1]!.x + half };
  };
  const runs: Run[] = [];
  points.forEach((_, k) => {
    runs.push(spread(k, k + 1));
    while (runs.length > 1 && runs.at(-1)!.lo - runs.at(-2)!.hi <= near) {
      const last = runs.pop()!;
      runs.push(spread(runs.pop()!.first, last.end));
    }
  });
  if (runs.every((r) => r.end - r.first === 1)) return null;
  const shifts = series.map((s) => s.points.map(() => 0));
  for (const { first, end } of runs) {
    for (let k = first; k < end; k++) shifts[points[k]!.i]![points[k]!.j] = (k - first - (end - first - 1) / 2) * step;
  }
  return series.map((s, i) => ({ ...s, points: s.points.map((p, j) => ({ ...p, x: p.x + shifts[i]![j]! })) }));
}

/** "; where a name does not say otherwise: 3 epochs": the values the series names leave unsaid, stated once. */
function unsaidNote(fields: LabelFields): string {
  const unsaid = unsaidValues(fields);
  return unsaid === null ? '' : `; where a name does not say otherwise: ${unsaid}`;
}

/** Accuracy vs sparsity (dense as a line across) and accuracy vs training FLOPs, mean ± std over seeds. */
export function methodsFigures(groups: readonly RunGroup[], kind: AccuracyKind): ViewFigure[] {
  const accuracyLabel = ACCURACY_LABELS[kind];
  const measured = groups.filter((g) => g.accuracy.mean !== null);
  const placed = measured.filter((g) => !isFullDense(g.config));
  // One set of names for both figures, so that a series is called the same in each.
  const styles = seriesOfGroups(measured, ['sparsity']);
  const names = unsaidNote(seriesFields(measured, ['sparsity']));
  const sparsitySeries = groupSeries(
    placed,
    styles,
    (g) => ({
      x: placedSparsity(g.config),
      title: g.label,
      details: [
        isSmallDense(g.config)
          ? `width ×${g.config.widthMultiplier}: the parameters of ${sparsityLabel(placedSparsity(g.config))} sparsity`
          : `sparsity ${sparsityLabel(g.config.sparsity)}`,
        ...groupDetails(g, accuracyLabel),
      ],
    }),
    true,
  );
  const references: ReferenceLine[] = measured
    .filter((g) => isFullDense(g.config))
    .map((g) => {
      const style = styles.get(g.key);
      const name = style?.label ?? 'Dense';
      // The accuracy first: a long name is cut short on the plot (the legend has it whole).
      return { name, color: style?.color ?? variantOf(g.config).color, y: g.accuracy.mean as number, label: `${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)} ${name}` };
    });
  const xs = sparsitySeries.flatMap((s) => s.points.map((p) => p.x));
  const range = xs.length > 0 ? sparsityRange(xs) : null;
  const flopsSeries = groupSeries(
    measured.filter((g) => g.trainFlopsRatio.mean !== null),
    styles,
    (g) => ({ x: g.trainFlopsRatio.mean as number, title: g.label, details: groupDetails(g, accuracyLabel) }),
    true,
  );
  // Methods of one FLOP cost (SET and RigL without updates, or at ΔT large) would hide each other, as at one sparsity.
  const flopsDodged = dodgedWhereTheyMeet(flopsSeries, Math.max(0, ...flopsSeries.flatMap((s) => s.points.map((p) => p.x))));
  // Side by side, the two figures keep one height (and their plots one size) whatever their legends take.
  const height = Math.max(meanStdHeight(340, sparsitySeries, references), meanStdHeight(340, flopsSeries, []));
  const sparsityCaption = [
    `${accuracyLabel}, mean ± std over seeds`,
    ...(placed.some((g) => isSmallDense(g.config)) ? ['Small-Dense at the sparsity whose parameter count it matches'] : []),
    ...(references.length > 0 ? ['dense as a dashed line'] : []),
    ...(sparsitySeries.length > 1 ? ['the methods at a sparsity set a little apart'] : []),
  ].join('; ');
  return [
    {
      id: 'accuracy-vs-sparsity',
      title: 'Test accuracy vs sparsity',
      caption: sparsityCaption + names,
      option: range
        ? meanStdChartOption(dodged(sparsitySeries, range.max - range.min), references, {
            x: { name: 'sparsity', ...range, format: asPercent },
            y: accuracyAxis(accuracyLabel),
          })
        : {},
      height,
      size: 'half',
      empty: range ? null : measured.length === 0 ? WAITING : 'Needs completed sparse runs (only dense runs so far).',
    },
    {
      id: 'accuracy-vs-flops',
      title: 'Test accuracy vs training FLOPs',
      caption: `${accuracyLabel}, mean ± std over seeds, against training FLOPs as a multiple of the dense model's trained for the standard length (1×)${flopsDodged ? '; methods of the same FLOPs set a little apart' : ''}${names}`,
      option:
        flopsSeries.length > 0
          ? meanStdChartOption(flopsDodged ?? flopsSeries, [], {
              x: trainingFlopsAxis(flopsDodged ?? flopsSeries),
              y: accuracyAxis(accuracyLabel),
            })
          : {},
      height,
      size: 'half',
      empty: flopsSeries.length > 0 ? null : WAITING,
    },
  ];
}

/**
 * The report's table: per method, sparsity and distribution, accuracy mean ± std over seeds, FLOPs
 * ×dense, and the wall-clock time of a run, also against the dense runs' where it can be (timeVsDense).
 */
export function methodsTable(groups: readonly RunGroup[], kind: AccuracyKind): ViewTable {
  const fields = labelFields(
    groups.map((g) => g.config),
    [...NOT_COMPARED, 'widthMultiplier'],
  );
  const hasOther = groups.some((g) => otherFields(g.config, fields).length > 0);
  const rows = [...groups].sort(
    (a, b) =>
      variantOf(a.config).order - variantOf(b.config).order ||
      a.config.distribution.localeCompare(b.config.distribution) ||
      placedSparsity(a.config) - placedSparsity(b.config),
  );
  const sparse = (g: RunGroup) => g.config.method !== 'dense';
  const timeRatios = new Map(rows.map((g) => [g, timeVsDense(g, groups)]));
  return {
    id: 'summary',
    title: 'Summary',
    caption: `${ACCURACY_LABELS[kind]}, mean ± std over seeds (percent); FLOPs as multiples of the full-width dense model's, in training the dense model's trained for the standard length (1×); ${runTimeCaption(groups)}; and as a multiple of the dense runs' of the same recipe on the same device, each trained alone (— where there are none)${unsaidNote(fields)}`,
    columns: [
      { label: 'Method', numeric: false },
      { label: 'Sparsity', numeric: true },
      { label: 'Distribution', numeric: false },
      ...(hasOther ? [{ label: 'Other', numeric: false }] : []),
      { label: 'Seeds', numeric: true },
      accuracyColumn(kind),
      { label: 'Train FLOPs ×', numeric: true },
      { label: 'Inference FLOPs ×', numeric: true },
      { label: 'Run time', numeric: true },
      { label: 'Time × dense', numeric: true },
    ],
    rows: rows.map((g) => {
      const variant = variantOf(g.config);
      return {
        key: g.key,
        color: variant.color,
        mark: null,
        cells: [
          variant.label,
          isFullDense(g.config) ? '—' : isSmallDense(g.config) ? `${sparsityLabel(placedSparsity(g.config))} (width ×${g.config.widthMultiplier})` : sparsityLabel(g.config.sparsity),
          sparse(g) ? DISTRIBUTION_LABELS[g.config.distribution] : '—',
          ...(hasOther ? [otherFields(g.config, fields).join(' · ')] : []),
          g.accuracy.n === g.runs.length ? String(g.accuracy.n) : `${g.accuracy.n} / ${g.runs.length}`,
          meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n),
          flopMultiple(g.trainFlopsRatio.mean),
          flopMultiple(g.inferenceFlopsRatio.mean),
          runTimeCell(g),
          times(timeRatios.get(g)),
        ],
      };
    }),
    csv: {
      header: [
        'method', 'variant', 'sparsity', 'width_multiplier', 'distribution', 'other', 'runs', 'seeds',
        ...accuracyCsvColumns(kind), 'measured_runs', 'train_flops_x_dense', 'inference_flops_x_dense',
        'run_seconds_mean', 'run_time_shared', 'run_time_x_dense', 'device',
      ],
      rows: rows.map((g) => [
        variantOf(g.config).label,
        variantOf(g.config).key,
        isFullDense(g.config) ? 0 : placedSparsity(g.config),
        g.config.widthMultiplier,
        sparse(g) ? g.config.distribution : '',
        otherFields(g.config, fields).join('; '),
        g.runs.length,
        g.seeds.join(' '),
        g.accuracy.mean,
        g.accuracy.std,
        g.accuracy.n,
        g.trainFlopsRatio.mean,
        g.inferenceFlopsRatio.mean,
        g.durationS.mean,
        runTimeSharedCsv(g),
        timeRatios.get(g) ?? null,
        g.device ?? '',
      ]),
    },
  };
}

export function methodsView(input: ViewInput): ViewResult {
  const groups = groupRuns(completedRuns(input.runs), input.accuracy);
  return {
    view: 'methods',
    figures: methodsFigures(groups, input.accuracy),
    tables: groups.length > 0 ? [methodsTable(groups, input.accuracy)] : [],
    notes: [progressNote(input.runs)],
  };
}
