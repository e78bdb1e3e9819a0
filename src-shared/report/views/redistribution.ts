import type { LayerStatRecord, RunRecord } from '../../api/records.js';
import { barsOption, type BarSeries } from '../../charts/bars.js';
import { curvesOption, STEP_AXIS } from '../../charts/curves.js';
import { byLayer, densityCurves } from '../../charts/layer-curves.js';
import { meanStdChartOption } from '../../charts/mean-std.js';
import { accuracyAxis, asPercent } from '../../charts/style.js';
import { groupDetails, groupSeries } from '../figure-series.js';
import { flopMultiple, percent, sparsityLabel } from '../format.js';
import { groupRuns, type RunGroup } from '../groups.js';
import { seriesOfGroups } from '../series-style.js';
import { variantOf } from '../variants.js';
import { groupTable } from '../group-table.js';
import { ACCURACY_LABELS, completedRuns, progressNote, WAITING, type ViewFigure, type ViewInput, type ViewResult, type ViewTable } from '../view.js';

/** The run whose layer densities stand for its group: the lowest seed (seeds drift alike; one chart per group stays readable). */
function representative(g: RunGroup): RunRecord {
  return [...g.runs].sort((a, b) => a.config.seed - b.config.seed)[0] as RunRecord;
}

/** The runs whose layer history the redistribution view draws: one per group of completed runs. */
export function redistributionHistoryRuns(runs: readonly RunRecord[]): number[] {
  return groupRuns(completedRuns(runs), 'final').map((g) => representative(g).id);
}

function densityFigures(groups: readonly RunGroup[], history: ViewInput['layerHistory'], title: (g: RunGroup) => string): ViewFigure[] {
  const drawn = groups.map((g) => ({ g, run: representative(g), rows: history.get(representative(g).id) ?? [] }));
  const densities = drawn.flatMap((d) => d.rows.map((r) => r.density));
  // One y scale for all of them, a little beyond the data, so that the drifts compare at a glance.
  const lo = densities.length > 0 ? Math.min(...densities) : 0;
  const hi = densities.length > 0 ? Math.max(...densities) : 1;
  const pad = Math.max(0.005, (hi - lo) * 0.1);
  const yRange: [number, number] = [Math.max(0, Math.floor((lo - pad) * 200) / 200), Math.min(1, Math.ceil((hi + pad) * 200) / 200)];
  return drawn.map(({ g, run, rows }) => {
    const steps = new Set(rows.map((r) => r.step)).size;
    return {
      id: `layer-density-${variantOf(g.config).key}-${Math.round(g.config.sparsity * 1000)}`,
      title: title(g),
      caption: `Density of each masked layer over training: run ${run.id} (seed ${run.config.seed})`,
      option: steps > 1 ? curvesOption(densityCurves(rows), { ...STEP_AXIS, y: 'density', formatY: asPercent, yRange }) : {},
      height: 260,
      size: drawn.length === 3 ? 'third' : 'half',
      empty: steps > 1 ? null : 'Layer densities are recorded as training goes; this chart fills once there are two records.',
    };
  });
}

function densityTable(groups: readonly RunGroup[], history: ViewInput['layerHistory'], title: (g: RunGroup) => string): ViewTable {
  const rows = groups.flatMap((g) => {
    const run = representative(g);
    return [...byLayer(history.get(run.id) ?? []).entries()].map(([layer, points]) => {
      const first = points[0] as LayerStatRecord;
      const last = points[points.length - 1] as LayerStatRecord;
      return { g, run, layer, first, last, points };
    });
  });
  return {
    id: 'layer-densities',
    title: 'Layer densities, start and end of training',
    caption: 'one run per variant (its lowest seed); the CSV holds every recorded step',
    columns: [
      { label: 'Method', numeric: false },
      { label: 'Layer', numeric: false },
      { label: 'Density at start', numeric: true },
      { label: 'Density at end', numeric: true },
      { label: 'Change', numeric: true },
    ],
    rows: rows.map(({ g, run, layer, first, last }) => ({
      key: `${run.id}/${layer}`,
      color: variantOf(g.config).color,
      mark: null,
      cells: [title(g), layer, percent(first.density), percent(last.density), `${last.density >= first.density ? '+' : ''}${((last.density - first.density) * 100).toFixed(2)} pp`],
    })),
    csv: {
      header: ['method', 'sparsity', 'run_id', 'seed', 'layer', 'step', 'epoch', 'density', 'active', 'params'],
      rows: rows.flatMap(({ g, run, layer, points }) =>
        points.map((p) => [variantOf(g.config).label, g.config.sparsity, run.id, run.config.seed, layer, p.step, p.epoch, p.density, p.active, p.params]),
      ),
    },
  };
}


export function redistributionView(input: ViewInput): ViewResult {
  const accuracyLabel = ACCURACY_LABELS[input.accuracy];
  const groups = groupRuns(completedRuns(input.runs), input.accuracy);
  const styles = seriesOfGroups(groups, ['sparsity']);
  const title = (g: RunGroup): string => `${styles.get(g.key)?.label ?? variantOf(g.config).label} ${sparsityLabel(g.config.sparsity)}`;
  const sparsities = [...new Set(groups.map((g) => g.config.sparsity))].sort((a, b) => a - b);
  const categories = sparsities.map(sparsityLabel);
  const accuracy = groupSeries(groups, styles, (g) => ({ x: sparsities.indexOf(g.config.sparsity), title: title(g), details: groupDetails(g, accuracyLabel) }), false);
  const seriesNames = [...new Set(groups.map((g) => styles.get(g.key)?.label ?? ''))];
  const flops: BarSeries[] = seriesNames.map((name) => {
    const members = groups.filter((g) => styles.get(g.key)?.label === name);
    return {
      name,
      color: styles.get(members[0]?.key ?? '')?.color ?? '#888888',
      values: sparsities.map((s) => {
        const g = members.find((m) => m.config.sparsity === s);
        const ratio = g?.trainFlopsRatio.mean;
        return g && ratio !== null && ratio !== undefined ? { value: ratio, label: flopMultiple(ratio), title: title(g), details: groupDetails(g, accuracyLabel) } : null;
      }),
    };
  });
  const figures: ViewFigure[] = [
    {
      id: 'accuracy',
      title: 'Test accuracy',
      caption: `${accuracyLabel}, mean ± std over seeds`,
      option: accuracy.length > 0 ? meanStdChartOption(accuracy, [], { x: { name: 'sparsity', categories }, y: accuracyAxis(accuracyLabel) }) : {},
      height: 320,
      size: 'half',
      empty: accuracy.length > 0 ? null : WAITING,
    },
    {
      id: 'training-flops',
      title: 'Training FLOPs',
      caption: 'mean over seeds, as a multiple of the dense run’s, counted from every layer’s density at every step: moving weights to costlier layers costs more',
      option: flops.length > 0 ? barsOption(flops, { x: { name: 'sparsity', categories }, y: { name: 'training FLOPs (× dense)', format: (v) => `${v}×` } }) : {},
      height: 320,
      size: 'half',
      empty: flops.length > 0 ? null : WAITING,
    },
    ...densityFigures(groups, input.layerHistory, title),
  ];
  return {
    view: 'redistribution',
    figures,
    tables: groups.length > 0 ? [groupTable(groups, input.accuracy, { id: 'redistribution', title: 'Redistribution', lead: '', name: title, csvExtra: { header: 'redistribution', value: (g) => g.config.maskUpdate.redistribution } }), densityTable(groups, input.layerHistory, title)] : [],
    notes: [progressNote(input.runs)],
  };
}
