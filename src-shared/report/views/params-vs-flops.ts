import { meanStdChartOption, type MeanStdSeries } from '../../charts/mean-std.js';
import { SERIES_COLORS } from '../../charts/palette.js';
import { paddedExtent, type Extent } from '../../charts/extent.js';
import { ACCURACY_LIMITS, accuracyAxis } from '../../charts/style.js';
import type { DerivedRuns } from '../../config/experiment.js';
import type { RunConfig } from '../../config/run.js';
import { DISTRIBUTION_LABELS, type DistributionName } from '../../names.js';
import { inferenceFlopsAt, sparseParameterCount, sparsityForInferenceFlops } from '../../sparsity/matching.js';
import { comparableKey } from '../comparable.js';
import { groupDetails } from '../figure-series.js';
import { compact, flopMultiple, meanStdPercent, sparsityLabel } from '../format.js';
import { groupRuns, type AccuracyKind, type RunGroup } from '../groups.js';
import { variantOf } from '../variants.js';
import { ACCURACY_LABELS, accuracyColumn, accuracyCsvColumns, completedRuns, progressNote, runTimeCaption, WAITING, type ViewFigure, type ViewInput, type ViewResult, type ViewTable } from '../view.js';
import { runTimeCell, runTimeSharedCsv } from '../run-time.js';

export type FlopMatch = NonNullable<DerivedRuns['flopMatched']>;

/** The report's comparison when the experiment names none: ERK against uniform. */
const DEFAULT_MATCH: FlopMatch = { reference: 'uniform', matched: 'erk' };

/** A reference run group with the runs it is compared with: the same sparsity (parameters) and the same inference FLOPs. */
export interface FlopPair {
  reference: RunGroup;
  equalParameters: RunGroup | null;
  equalFlops: RunGroup | null;
  /** The sparsity at which the matched distribution costs the reference's inference FLOPs. */
  matchedSparsity: number;
}

const withDistribution = (config: RunConfig, distribution: DistributionName, sparsity: number): RunConfig => ({ ...config, distribution, sparsity });

/**
 * Pairs every group of the reference distribution with the matched distribution's groups at the
 * same sparsity and at the FLOP-matched sparsity (solved exactly as the grid derived it), and
 * otherwise the same config.
 */
export function flopPairs(groups: readonly RunGroup[], match: FlopMatch): FlopPair[] {
  const byKey = new Map(groups.map((g) => [g.key, g]));
  return groups
    .filter((g) => g.config.method !== 'dense' && g.config.distribution === match.reference)
    .map((reference) => {
      const c = reference.config;
      const matchedSparsity = sparsityForInferenceFlops(c, match.matched, inferenceFlopsAt(c, match.reference, c.sparsity));
      return {
        reference,
        equalParameters: byKey.get(comparableKey(withDistribution(c, match.matched, c.sparsity))) ?? null,
        equalFlops: byKey.get(comparableKey(withDistribution(c, match.matched, matchedSparsity))) ?? null,
        matchedSparsity,
      };
    });
}

/** Two fixed colours, the same in both panels and the table (not method colours: every run here is one method). */
const COLORS = { reference: SERIES_COLORS[0] as string, matched: SERIES_COLORS[3] as string };

/** One accuracy scale for both panels, so that a gap reads the same on either side. */
function accuracyExtent(pairs: readonly FlopPair[]): Extent | null {
  const ends = pairs
    .flatMap((p) => [p.reference, p.equalParameters, p.equalFlops])
    .flatMap((g) => (g && g.accuracy.mean !== null ? [g.accuracy.mean - (g.accuracy.std ?? 0), g.accuracy.mean + (g.accuracy.std ?? 0)] : []));
  return paddedExtent(ends, undefined, ACCURACY_LIMITS);
}

function comparisonFigure(
  pairs: readonly FlopPair[],
  side: 'equalParameters' | 'equalFlops',
  match: FlopMatch,
  accuracyLabel: string,
  accuracyScale: Extent | null,
): ViewFigure {
  const categories = pairs.map((p) => `${DISTRIBUTION_LABELS[match.reference]} ${sparsityLabel(p.reference.config.sparsity)}`);
  const point = (g: RunGroup, i: number) => ({
    x: i,
    mean: g.accuracy.mean as number,
    std: g.accuracy.std,
    title: `${DISTRIBUTION_LABELS[g.config.distribution]} ${sparsityLabel(g.config.sparsity)}`,
    details: [
      `${compact(sparseParameterCount(g.config, g.config.sparsity))} parameters · inference ${flopMultiple(g.inferenceFlopsRatio.mean)} dense`,
      ...groupDetails(g, accuracyLabel),
    ],
    label: `${sparsityLabel(g.config.sparsity)} · ${flopMultiple(g.inferenceFlopsRatio.mean)}`,
  });
  const series: MeanStdSeries[] = [
    {
      name: DISTRIBUTION_LABELS[match.reference],
      color: COLORS.reference,
      lineType: 'solid',
      symbol: 'rect',
      joined: false,
      points: pairs.flatMap((p, i) => (p.reference.accuracy.mean === null ? [] : [point(p.reference, i)])),
    },
    {
      name: DISTRIBUTION_LABELS[match.matched],
      color: COLORS.matched,
      lineType: 'solid',
      symbol: 'circle',
      joined: false,
      points: pairs.flatMap((p, i) => {
        const g = p[side];
        return g && g.accuracy.mean !== null ? [point(g, i)] : [];
      }),
    },
  ];
  const measured = series.every((s) => s.points.length > 0);
  const equalParameters = side === 'equalParameters';
  return {
    id: equalParameters ? 'equal-parameters' : 'equal-flops',
    title: equalParameters ? 'Same parameters: same sparsity' : 'Same inference FLOPs: matched sparsity',
    caption: equalParameters
      ? `${DISTRIBUTION_LABELS[match.matched]} and ${DISTRIBUTION_LABELS[match.reference]} at one sparsity (equal parameter count); points labelled sparsity · inference FLOPs ×dense`
      : `${DISTRIBUTION_LABELS[match.matched]} at the sparsity where its inference FLOPs equal ${DISTRIBUTION_LABELS[match.reference]}'s; points labelled sparsity · inference FLOPs ×dense`,
    option: measured
      ? meanStdChartOption(series, [], {
          x: { name: `${DISTRIBUTION_LABELS[match.reference]} run compared with`, categories },
          y: { ...accuracyAxis(accuracyLabel), extent: accuracyScale },
        })
      : {},
    height: 340,
    size: 'half',
    empty: measured ? null : pairs.length === 0 ? WAITING : `Waits for the ${DISTRIBUTION_LABELS[match.matched]} runs to complete.`,
  };
}

function pairsTable(pairs: readonly FlopPair[], match: FlopMatch, kind: AccuracyKind): ViewTable {
  const accuracyLabel = ACCURACY_LABELS[kind];
  const rows = pairs.flatMap((p) =>
    [
      { comparison: 'reference', g: p.reference },
      { comparison: 'equal parameters', g: p.equalParameters },
      { comparison: 'equal inference FLOPs', g: p.equalFlops },
    ].flatMap(({ comparison, g }) => (g ? [{ pair: p, comparison, g }] : [])),
  );
  return {
    id: 'params-vs-flops',
    title: 'Parameters and FLOPs',
    caption: `${accuracyLabel}, mean ± std over seeds (percent); ${DISTRIBUTION_LABELS[match.matched]} compared with ${DISTRIBUTION_LABELS[match.reference]}; ${runTimeCaption(rows.map((r) => r.g))}`,
    columns: [
      { label: 'Compared with', numeric: false },
      { label: 'Comparison', numeric: false },
      { label: 'Distribution', numeric: false },
      { label: 'Sparsity', numeric: true },
      { label: 'Parameters', numeric: true },
      { label: 'Inference FLOPs ×', numeric: true },
      { label: 'Train FLOPs ×', numeric: true },
      { label: 'Seeds', numeric: true },
      accuracyColumn(kind),
      { label: 'Run time', numeric: true },
    ],
    rows: rows.map(({ pair, comparison, g }) => ({
      key: `${pair.reference.key}/${comparison}`,
      color: g.config.distribution === match.reference ? COLORS.reference : COLORS.matched,
      mark: null,
      cells: [
        `${variantOf(pair.reference.config).label} ${DISTRIBUTION_LABELS[match.reference]} ${sparsityLabel(pair.reference.config.sparsity)}`,
        comparison,
        DISTRIBUTION_LABELS[g.config.distribution],
        sparsityLabel(g.config.sparsity),
        compact(sparseParameterCount(g.config, g.config.sparsity)),
        flopMultiple(g.inferenceFlopsRatio.mean),
        flopMultiple(g.trainFlopsRatio.mean),
        String(g.accuracy.n),
        meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n),
        runTimeCell(g),
      ],
    })),
    csv: {
      header: [
        'method', 'reference_sparsity', 'comparison', 'distribution', 'sparsity', 'parameters',
        'inference_flops_x_dense', 'train_flops_x_dense', 'runs', 'seeds', ...accuracyCsvColumns(kind), 'run_seconds_mean', 'run_time_shared',
      ],
      rows: rows.map(({ pair, comparison, g }) => [
        variantOf(g.config).label,
        pair.reference.config.sparsity,
        comparison,
        g.config.distribution,
        g.config.sparsity,
        sparseParameterCount(g.config, g.config.sparsity),
        g.inferenceFlopsRatio.mean,
        g.trainFlopsRatio.mean,
        g.runs.length,
        g.seeds.join(' '),
        g.accuracy.mean,
        g.accuracy.std,
        g.durationS.mean,
        runTimeSharedCsv(g),
      ]),
    },
  };
}

export function paramsVsFlopsView(input: ViewInput): ViewResult {
  const accuracyLabel = ACCURACY_LABELS[input.accuracy];
  const match = input.experiment.spec.derived.flopMatched ?? DEFAULT_MATCH;
  const pairs = flopPairs(groupRuns(completedRuns(input.runs), input.accuracy), match);
  const accuracyScale = accuracyExtent(pairs);
  return {
    view: 'params-vs-flops',
    figures: [comparisonFigure(pairs, 'equalParameters', match, accuracyLabel, accuracyScale), comparisonFigure(pairs, 'equalFlops', match, accuracyLabel, accuracyScale)],
    tables: pairs.length > 0 ? [pairsTable(pairs, match, input.accuracy)] : [],
    notes: [
      progressNote(input.runs),
      ...new Set(
        pairs.map(
          (p) =>
            `${DISTRIBUTION_LABELS[match.matched]} matches the inference FLOPs of ${DISTRIBUTION_LABELS[match.reference]} ${sparsityLabel(p.reference.config.sparsity)} at ${sparsityLabel(p.matchedSparsity)} sparsity.`,
        ),
      ),
    ],
  };
}
