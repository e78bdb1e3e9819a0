import { meanStdChartOption, type ReferenceLine } from '../../charts/mean-std.js';
import { accuracyAxis } from '../../charts/style.js';
import { DISTRIBUTION_LABELS } from '../../names.js';
import { groupDetails, groupSeries, trainingFlopsAxis } from '../figure-series.js';
import { flopMultiple, meanStdPercent, sparsityLabel } from '../format.js';
import { groupRuns, type RunGroup } from '../groups.js';
import { seriesOfGroups } from '../series-style.js';
import { variantOf } from '../variants.js';
import { ACCURACY_LABELS, accuracyColumn, accuracyCsvColumns, completedRuns, progressNote, runTimeCaption, WAITING, type ViewInput, type ViewResult } from '../view.js';
import { runTimeCell, runTimeSharedCsv } from '../run-time.js';

const lengthLabel = (g: RunGroup): string => `${variantOf(g.config).label} ${g.config.trainingMultiplier}×`;

export function lengthView(input: ViewInput): ViewResult {
  const accuracyLabel = ACCURACY_LABELS[input.accuracy];
  const groups = groupRuns(completedRuns(input.runs), input.accuracy);
  const measured = groups.filter((g) => g.accuracy.mean !== null && g.trainFlopsRatio.mean !== null);
  const styles = seriesOfGroups(measured, ['trainingMultiplier']);
  const series = groupSeries(
    measured,
    styles,
    (g) => ({
      x: g.trainFlopsRatio.mean as number,
      title: `${lengthLabel(g)} · ${g.label}`,
      details: groupDetails(g, accuracyLabel),
      label: lengthLabel(g),
    }),
    true,
  );
  // The report's question: how long RigL must train to reach pruning at its standard length.
  const references: ReferenceLine[] = measured
    .filter((g) => g.config.method === 'pruning' && g.config.trainingMultiplier === 1)
    .map((g) => {
      const name = `${styles.get(g.key)?.label ?? 'Pruning'} 1×`;
      return { name, color: variantOf(g.config).color, y: g.accuracy.mean as number, label: `${name} ${meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n)}` };
    });
  const rows = [...groups].sort(
    (a, b) => variantOf(a.config).order - variantOf(b.config).order || a.config.sparsity - b.config.sparsity || a.config.trainingMultiplier - b.config.trainingMultiplier,
  );
  const sparse = (g: RunGroup) => g.config.method !== 'dense';
  return {
    view: 'length',
    figures: [
      {
        id: 'accuracy-vs-training-flops',
        title: 'Test accuracy vs training FLOPs, 1× and longer',
        caption: `${accuracyLabel}, mean ± std over seeds; each line joins one method's training lengths (labelled at the points)${references.length > 0 ? '; pruning 1× as a dashed line' : ''}`,
        option:
          series.length > 0
            ? meanStdChartOption(series, references, {
                x: trainingFlopsAxis(series),
                y: accuracyAxis(accuracyLabel),
              })
            : {},
        height: 380,
        size: 'full',
        empty: series.length > 0 ? null : WAITING,
      },
    ],
    tables:
      groups.length === 0
        ? []
        : [
            {
              id: 'length',
              title: 'Training length',
              caption: `${accuracyLabel}, mean ± std over seeds (percent); training FLOPs against the dense run of standard length; ${runTimeCaption(groups)}`,
              columns: [
                { label: 'Method', numeric: false },
                { label: 'Length', numeric: true },
                { label: 'Sparsity', numeric: true },
                { label: 'Distribution', numeric: false },
                { label: 'Seeds', numeric: true },
                accuracyColumn(input.accuracy),
                { label: 'Train FLOPs × dense 1×', numeric: true },
                { label: 'Inference FLOPs ×', numeric: true },
                { label: 'Run time', numeric: true },
              ],
              rows: rows.map((g) => ({
                key: g.key,
                color: variantOf(g.config).color,
                mark: null,
                cells: [
                  variantOf(g.config).label,
                  `${g.config.trainingMultiplier}×`,
                  sparse(g) ? sparsityLabel(g.config.sparsity) : '—',
                  sparse(g) ? DISTRIBUTION_LABELS[g.config.distribution] : '—',
                  String(g.accuracy.n),
                  meanStdPercent(g.accuracy.mean, g.accuracy.std, g.accuracy.n),
                  flopMultiple(g.trainFlopsRatio.mean),
                  flopMultiple(g.inferenceFlopsRatio.mean),
                  runTimeCell(g),
                ],
              })),
              csv: {
                header: ['method', 'training_multiplier', 'sparsity', 'distribution', 'runs', 'seeds', ...accuracyCsvColumns(input.accuracy), 'train_flops_x_dense_1x', 'inference_flops_x_dense', 'run_seconds_mean', 'run_time_shared'],
                rows: rows.map((g) => [
                  variantOf(g.config).label,
                  g.config.trainingMultiplier,
                  sparse(g) ? g.config.sparsity : 0,
                  sparse(g) ? g.config.distribution : '',
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
            },
          ],
    notes: [progressNote(input.runs)],
  };
}
