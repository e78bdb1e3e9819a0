import { describe, expect, it } from 'vitest';
import type { LayerStatRecord, RunRecord } from '../../src-shared/api/records.js';
import { PRESETS, REPORT_VIEWS } from '../../src-shared/config/presets.js';
import { buildView, layerHistoryRuns, viewOfExperiment } from '../../src-shared/report/build-view.js';
import { expandExperiment, parseExperimentSpec, type ExperimentSpecInput } from '../../src-shared/config/experiment.js';
import type { RunConfigInput } from '../../src-shared/config/run.js';
import { groupRuns } from '../../src-shared/report/groups.js';
import { sharedTimeNote, timeVsDense } from '../../src-shared/report/run-time.js';
import { lengthView } from '../../src-shared/report/views/length.js';
import { methodsView, placedSparsity } from '../../src-shared/report/views/methods.js';
import { flopPairs, paramsVsFlopsView } from '../../src-shared/report/views/params-vs-flops.js';
import { sensitivityPanels } from '../../src-shared/report/views/sensitivity.js';
import { inferenceFlopsAt, smallDenseWidth } from '../../src-shared/sparsity/matching.js';
import { experimentRecord, runRecord, viewInput } from './report-fixtures.js';

const quick = { dataset: 'fashion-mnist', model: 'mlp', epochs: 3, trainSubset: 8000, distribution: 'uniform' } as const;

describe('which view an experiment gets', () => {
  it('takes its preset’s view, else reads its grid', () => {
    for (const p of PRESETS) expect(viewOfExperiment(experimentRecord(p.spec).spec)).toBe(p.view);
    const view = (grid: object, derived: object = {}) => viewOfExperiment(experimentRecord({ name: 'x', grid, derived }).spec);
    expect(view({ alpha: [0.1, 0.3], deltaT: [100] })).toBe('sensitivity');
    expect(view({ method: ['rigl'], trainingMultiplier: [1, 2] })).toBe('length');
    expect(view({ redistribution: ['none', 'momentum'] })).toBe('redistribution');
    expect(view({ distribution: ['uniform', 'erk'] }, { flopMatched: { reference: 'uniform', matched: 'erk' } })).toBe('params-vs-flops');
    // The form writes every axis, most with one value: one redistribution value is no sweep.
    expect(view({ method: ['static', 'rigl'], sparsity: [0.8, 0.9], redistribution: ['none'] })).toBe('methods');
  });
});

describe('method comparison', () => {
  const width = smallDenseWidth({ model: 'mlp', dataset: 'fashion-mnist' }, 0.9);
  const runs = [
    ...[0.8, 0.82, 0.84].map((a, seed) => runRecord({ config: { ...quick, method: 'rigl', sparsity: 0.9, seed }, testAccuracy: a, trainFlopsRatio: 0.102, inferenceFlopsRatio: 0.1 })),
    ...[0.7, 0.74].map((a, seed) => runRecord({ config: { ...quick, method: 'static', sparsity: 0.9, seed }, testAccuracy: a, trainFlopsRatio: 0.1, inferenceFlopsRatio: 0.1 })),
    runRecord({ config: { ...quick, method: 'static', sparsity: 0.9, seed: 2 }, testAccuracy: null, status: 'running' }),
    runRecord({ config: { ...quick, method: 'dense', widthMultiplier: width, seed: 0 }, testAccuracy: 0.6 }),
    runRecord({ config: { ...quick, method: 'dense', seed: 0 }, testAccuracy: 0.86, trainFlopsRatio: 1, inferenceFlopsRatio: 1 }),
  ];

  it('places Small-Dense at the sparsity its parameter count matches', () => {
    // Width 0.1117 gives hidden widths 34 and 11: 784·34 + 34·11 + 11·10 weights + 55 biases = 27,195
    // parameters. Of the full net's 266,200 masked weights (and 410 biases), 27,195 − 410 = 26,785
    // remain: sparsity 1 − 26,785 / 266,200 = 0.899380.
    expect(width).toBe(0.1117);
    const smallDense = groupRuns(runs, 'final').find((g) => g.config.widthMultiplier < 1)!;
    expect(placedSparsity(smallDense.config)).toBeCloseTo(0.89938, 5);
    const figure = methodsView(viewInput({ name: 'm', base: quick }, runs)).figures[0]!;
    const series = (figure.option.series as Array<{ name: string; type: string; data: Array<{ value: [number, number] }> }>).filter((s) => s.type === 'line');
    // The three series stand apart at their sparsity, in legend order: axis 88%–91%, so steps of
    // 0.03 · 0.025 = 0.00075 from the middle one (Static, at its 90%).
    expect(series.find((s) => s.name === 'Small-Dense')?.data[0]?.value[0]).toBeCloseTo(0.89938 - 0.00075, 5);
    expect(series.find((s) => s.name === 'Static')?.data[0]?.value[0]).toBeCloseTo(0.9, 12);
    expect(series.find((s) => s.name === 'RigL')?.data[0]?.value).toEqual([expect.closeTo(0.90075, 12), expect.closeTo(0.82, 12)]);
    expect(figure.caption).toContain('Small-Dense at the sparsity whose parameter count it matches');
  });

  it('sets methods at one sparsity apart, and speaks of Small-Dense only when there is one', () => {
    const sparseOnly = runs.filter((r) => r.config.method !== 'dense');
    const figure = methodsView(viewInput({ name: 'm', base: quick }, sparseOnly)).figures[0]!;
    const xs = (figure.option.series as Array<{ type: string; data: Array<{ value: [number, number] }> }>).filter((s) => s.type === 'line').map((s) => s.data[0]!.value[0]);
    // Static and RigL, both at 90%: axis 89%–91%, so 0.02 · 0.025 = 0.0005 apart, either side of 90%.
    expect(xs).toEqual([expect.closeTo(0.89975, 12), expect.closeTo(0.90025, 12)]);
    expect(figure.caption).toBe('final test accuracy, mean ± std over seeds; the methods at a sparsity set a little apart');
  });

  it('sets methods of one FLOP cost apart on the FLOPs figure too, and only then', () => {
    const flops = (ratios: Record<string, number>) => {
      const figure = methodsView(
        viewInput({ name: 'm', base: quick }, Object.entries(ratios).map(([method, ratio], seed) =>
          runRecord({ config: { ...quick, method: method as 'set', sparsity: 0.9, seed }, testAccuracy: 0.8, trainFlopsRatio: ratio, inferenceFlopsRatio: 0.1 }),
        )),
      ).figures[1]!;
      return { caption: figure.caption, xs: (figure.option.series as Array<{ type: string; data: Array<{ value: [number, number] }> }>).filter((s) => s.type === 'line').map((s) => s.data[0]!.value[0]) };
    };
    // SET and RigL without a mask update both train at 0.1×: steps of 0.1 · 0.015, half a step either side.
    const same = flops({ set: 0.1, rigl: 0.1 });
    expect(same.xs).toEqual([expect.closeTo(0.09925, 12), expect.closeTo(0.10075, 12)]);
    expect(same.caption).toContain('; methods of the same FLOPs set a little apart');
    // Only the points that meet move, and only as far as their own number asks: SNFS stays at 0.4×,
    // the two at 0.1× half a step (0.4 · 0.015) either side, not spread as for three.
    expect(flops({ set: 0.1, rigl: 0.1, snfs: 0.4 }).xs).toEqual([expect.closeTo(0.097, 12), 0.4, expect.closeTo(0.103, 12)]);
    // Set apart, the two at 0.5× would land one on SNFS at 0.5075× (a step of 1 · 0.015 apart,
    // dense at 1× giving the axis): all three are spread as one run, SNFS a step past 0.5075×.
    const chained = flops({ dense: 1, set: 0.5, rigl: 0.5, snfs: 0.5075 }).xs.filter((x) => x !== 1).sort((a, b) => a - b);
    expect(chained).toEqual([expect.closeTo(0.485, 12), 0.5, expect.closeTo(0.5225, 12)]);
    const apart = flops({ set: 0.1, snfs: 0.4 });
    expect(apart.xs).toEqual([0.1, 0.4]);
    expect(apart.caption).not.toContain('set a little apart');
  });

  it('draws the FLOPs axis from 0 to past dense’s 1×, so that its point stands inside the plot', () => {
    const runs = [
      runRecord({ config: { ...quick, method: 'dense' }, testAccuracy: 0.9, trainFlopsRatio: 1 }),
      runRecord({ config: { ...quick, method: 'rigl', sparsity: 0.9 }, testAccuracy: 0.85, trainFlopsRatio: 0.1 }),
    ];
    const x = methodsView(viewInput({ name: 'm', base: quick }, runs)).figures[1]!.option.xAxis as { min: number; max: number; interval: number };
    // 0 to 1 padded by 12% of the span each side: a step of 0.2 for about 7 ticks, up to 1.2.
    expect(x).toMatchObject({ min: 0, max: 1.2, interval: 0.2 });
  });

  it('tabulates mean ± std over the completed seeds, and FLOPs ×dense', () => {
    const result = methodsView(viewInput({ name: 'm', base: quick }, runs));
    const table = result.tables[0]!;
    const row = (method: string) => table.rows.find((r) => r.cells[0] === method)!.cells;
    // Static: 0.70 and 0.74 (its third seed is still running): mean 0.72, std √0.0008 = 0.0283.
    // Each fixture run took 1 s on an unnamed device: no time against dense.
    expect(row('Static')).toEqual(['Static', '90%', 'uniform', '2', '72.00 ± 2.83', '0.100×', '0.100×', '1.0 s', '—']);
    // RigL's dense gradients on update steps: 2% more training FLOPs than static, in sight.
    expect(row('RigL')).toEqual(['RigL', '90%', 'uniform', '3', '82.00 ± 2.00', '0.102×', '0.100×', '1.0 s', '—']);
    expect(row('Dense').slice(0, 3)).toEqual(['Dense', '—', '—']);
    expect(row('Small-Dense')[1]).toBe('89.94% (width ×0.1117)');
    expect(table.csv.header).toContain('test_accuracy_std');
    expect(result.notes[0]).toBe('7 of 8 runs completed, 1 queued or training; the figures and tables use the completed ones and fill in as the rest finish.');
    const stopped = runs.map((r) => (r.status === 'running' ? { ...r, status: 'failed' as const } : r));
    expect(methodsView(viewInput({ name: 'm', base: quick }, stopped)).notes[0]).toBe(
      '7 of 8 runs completed, 1 stopped (failed, cancelled, interrupted or diverged: the runs list says why; Re-run in the app or `rigl-lab resume` includes them); the figures and tables use the completed ones.',
    );
    const failedAll = runs.map((r) => ({ ...r, status: 'failed' as const, testAccuracy: null }));
    expect(methodsView(viewInput({ name: 'm', base: quick }, failedAll)).notes[0]).toBe(
      '0 of 8 runs completed, 8 stopped (failed, cancelled, interrupted or diverged: the runs list says why; Re-run in the app or `rigl-lab resume` includes them); the figures and tables have no run to show yet.',
    );
  });
});

describe('groups from different recipes', () => {
  // A 2-epoch grid on 6,000 examples beside the quick length experiment (3 epochs, 8,000, 1× and 2×).
  const grid = { ...quick, epochs: 2, trainSubset: 6000, testSubset: 1000, sparsity: 0.9 } as const;
  const length = { ...quick, testSubset: 2000, sparsity: 0.9 } as const;
  const methods = ['dense', 'static', 'rigl'] as const;
  const runs = [
    ...methods.map((method) => runRecord({ config: { ...grid, method }, testAccuracy: 0.8, trainFlopsRatio: method === 'dense' ? 1 : 0.1 })),
    ...[1, 2].flatMap((trainingMultiplier) =>
      methods.map((method) => runRecord({ config: { ...length, method, trainingMultiplier }, testAccuracy: 0.82, trainFlopsRatio: (method === 'dense' ? 1 : 0.11) * trainingMultiplier })),
    ),
  ];

  it('names each by what sets it apart, in words, and states once what most share', () => {
    const view = methodsView(viewInput({ name: 'm', base: quick }, runs));
    const [bySparsity, byFlops] = view.figures;
    const names = (figure: typeof bySparsity) => (figure!.option.series as Array<{ name: string; type: string; markLine?: unknown }>).filter((s) => s.type === 'line').map((s) => s.name);
    // 6 of the 9 groups train 3 epochs on 8,000 examples, tested on 2,000: a majority, left unsaid;
    // the standard length (1×) goes without saying.
    const other = '2 epochs · 6,000 training examples · 1,000 test examples';
    expect(names(bySparsity)).toEqual([`Static · ${other}`, 'Static', 'Static · training ×2', `RigL · ${other}`, 'RigL', 'RigL · training ×2', `Dense · ${other}`, 'Dense', 'Dense · training ×2']);
    expect(names(byFlops)).toEqual([`Dense · ${other}`, 'Dense', 'Dense · training ×2', `Static · ${other}`, 'Static', 'Static · training ×2', `RigL · ${other}`, 'RigL', 'RigL · training ×2']);
    const unsaid = '; where a name does not say otherwise: 3 epochs, 8,000 training examples, 2,000 test examples';
    expect(bySparsity!.caption.endsWith(unsaid)).toBe(true);
    expect(byFlops!.caption.endsWith(unsaid)).toBe(true);
    const table = view.tables[0]!;
    expect(table.caption.endsWith(unsaid)).toBe(true);
    const otherColumn = table.columns.findIndex((c) => c.label === 'Other');
    expect(table.rows.filter((r) => r.cells[0] === 'RigL').map((r) => r.cells[otherColumn])).toEqual([other, '', 'training ×2']);
  });

  it('says every value of a swept field', () => {
    const swept = [0.1, 0.3, 0.5].map((alpha) => runRecord({ config: { ...quick, method: 'rigl', sparsity: 0.9, maskUpdate: { alpha } }, testAccuracy: 0.8 }));
    expect(groupRuns(swept, 'final').map((g) => g.label)).toEqual(['RigL · α 0.1', 'RigL · α 0.3', 'RigL · α 0.5']);
  });

  it('counts training FLOPs against dense of the standard length, in the methods view as in the length view', () => {
    const view = methodsView(viewInput({ name: 'm', base: quick }, runs));
    const table = view.tables[0]!;
    const flops = table.columns.findIndex((c) => c.label === 'Train FLOPs ×');
    const otherColumn = table.columns.findIndex((c) => c.label === 'Other');
    const cell = (method: string, other: string) => table.rows.find((r) => r.cells[0] === method && r.cells[otherColumn] === other)!.cells[flops];
    expect([cell('Dense', ''), cell('Dense', 'training ×2'), cell('RigL', ''), cell('RigL', 'training ×2')]).toEqual(['1.00×', '2.00×', '0.110×', '0.220×']);
    // Static and RigL share their FLOPs here and stand a little apart; Dense meets no other series and stays put.
    const dense2x = (view.figures[1]!.option.series as Array<{ name: string; data: Array<{ value: [number, number]; tooltip: string }> }>).find((s) => s.name === 'Dense · training ×2')!.data[0]!;
    expect(dense2x.value[0]).toBeCloseTo(2, 12);
    expect(dense2x.tooltip).toContain('training FLOPs 2.00× the standard dense run');
    const lengthTable = lengthView(viewInput({ name: 'l', base: quick }, runs)).tables[0]!;
    const lengthFlops = lengthTable.columns.findIndex((c) => c.label === 'Train FLOPs × dense 1×');
    expect(lengthTable.rows.filter((r) => r.cells[0] === 'Dense').map((r) => r.cells[lengthFlops])).toEqual(['1.00×', '1.00×', '2.00×']);
    // No pruning run: the caption names no pruning line; with one at 1×, it does.
    const lengthCaption = (rs: RunRecord[]) => lengthView(viewInput({ name: 'l', base: quick }, rs)).figures[0]!.caption;
    expect(lengthCaption(runs)).not.toContain('pruning');
    const pruned = runRecord({ config: { ...quick, method: 'pruning', sparsity: 0.9, seed: 0 }, testAccuracy: 0.8, trainFlopsRatio: 0.8, inferenceFlopsRatio: 0.1 });
    expect(lengthCaption([...runs, pruned])).toContain('; pruning 1× as a dashed line');
  });
});

describe('run time against dense', () => {
  const wasm2 = 'CPU (WebAssembly SIMD, 2 threads)';
  const timed = (config: RunConfigInput, durationS: number, device = wasm2) => runRecord({ config: { ...quick, ...config }, testAccuracy: 0.8, durationS, device });
  const width = smallDenseWidth({ model: 'mlp', dataset: 'fashion-mnist' }, 0.9);

  it('divides each run time by the dense runs’ of the same recipe on the same device', () => {
    const runs = [
      timed({ method: 'dense', seed: 0 }, 60),
      timed({ method: 'dense', seed: 1 }, 64),
      ...[20, 18, 19].map((s, seed) => timed({ method: 'rigl', sparsity: 0.9, seed }, s)),
      timed({ method: 'dense', widthMultiplier: width }, 10),
      // One seed on one thread: the group's time is a mean over two machines' worth of speed.
      timed({ method: 'static', sparsity: 0.9, seed: 0 }, 15),
      timed({ method: 'static', sparsity: 0.9, seed: 1 }, 30, 'CPU (WebAssembly SIMD, 1 thread)'),
    ];
    const table = methodsView(viewInput({ name: 'm', base: quick }, runs)).tables[0]!;
    const cells = (method: string) => table.rows.find((r) => r.cells[0] === method)!.cells.slice(-2);
    // Dense: (60 + 64) / 2 = 62 s. RigL: 19 s, 19 / 62 = 0.306. Small-Dense: 10 / 62 = 0.161.
    expect(cells('Dense')).toEqual(['1 m 02 s', '1.00×']);
    expect(cells('RigL')).toEqual(['19 s', '0.31×']);
    expect(cells('Small-Dense')).toEqual(['10 s', '0.16×']);
    expect(cells('Static')).toEqual(['23 s', '—']);
    const csv = table.csv.rows.find((r) => r[0] === 'RigL')!;
    const at = (name: string) => csv[table.csv.header.indexOf(name)];
    expect(at('run_seconds_mean')).toBe(19);
    expect(at('run_time_x_dense')).toBeCloseTo(19 / 62, 12);
    expect(at('device')).toBe(`wasm: ${wasm2}`);
  });

  it('finds no dense time for another recipe, another device, or dense runs on mixed devices', () => {
    const rigl = timed({ method: 'rigl', sparsity: 0.9 }, 20);
    const ratio = (...dense: ReturnType<typeof timed>[]) => {
      const groups = groupRuns([rigl, ...dense], 'final');
      return timeVsDense(groups.find((g) => g.config.method === 'rigl')!, groups);
    };
    expect(ratio(timed({ method: 'dense' }, 40))).toBe(0.5);
    // Mask updates and sparsity are not read by dense training: the same recipe.
    expect(ratio(timed({ method: 'dense', maskUpdate: { deltaT: 50 } }, 40))).toBe(0.5);
    expect(ratio(timed({ method: 'dense', optimizer: { lr: 0.2 } }, 40))).toBeNull();
    expect(ratio(timed({ method: 'dense', trainingMultiplier: 2 }, 40))).toBeNull();
    expect(ratio(timed({ method: 'dense' }, 40, 'CPU (WebAssembly SIMD, 1 thread)'))).toBeNull();
    expect(ratio(timed({ method: 'dense', seed: 0 }, 40), timed({ method: 'dense', seed: 1 }, 4, 'GPU (CUDA, TensorFlow 2.9.1)'))).toBeNull();
    expect(ratio(runRecord({ config: { ...quick, method: 'dense' }, testAccuracy: 0.8, durationS: 40, device: wasm2, backend: 'cpu' }))).toBeNull();
  });

  it('marks the times of groups whose runs trained while other runs did, and does not set them against dense', () => {
    const shared = (config: RunConfigInput, durationS: number, sharedS: number | null) =>
      runRecord({ config: { ...quick, ...config }, testAccuracy: 0.8, durationS, sharedS, device: wasm2 });
    const table = (...runs: RunRecord[]) => methodsView(viewInput({ name: 'm', base: quick }, runs)).tables[0]!;
    const cells = (t: ReturnType<typeof table>, method: string) => t.rows.find((r) => r.cells[0] === method)!.cells.slice(-2);
    // RigL: seed 1 shared 3 of its 18 s (17%, above the twentieth): its group is marked. Static
    // shared 0.5 of 20 s (2.5%), dense 0 s, SET an unknown time (trained before it was recorded).
    const alone = table(
      shared({ method: 'dense' }, 40, 0),
      shared({ method: 'rigl', sparsity: 0.9, seed: 0 }, 20, 0),
      shared({ method: 'rigl', sparsity: 0.9, seed: 1 }, 18, 3),
      shared({ method: 'static', sparsity: 0.9 }, 20, 0.5),
      shared({ method: 'set', sparsity: 0.9 }, 10, null),
    );
    expect(cells(alone, 'Dense')).toEqual(['40 s', '1.00×']);
    expect(cells(alone, 'RigL')).toEqual(['19 s ‡', '—']);
    expect(cells(alone, 'Static')).toEqual(['20 s', '0.50×']);
    expect(cells(alone, 'SET')).toEqual(['10 s', '0.25×']);
    expect(alone.caption).toContain("(‡: some of its runs trained while other runs did, sharing the machine, so the time is not the method's alone)");
    const at = (method: string, column: string) => alone.csv.rows.find((r) => r[0] === method)![alone.csv.header.indexOf(column)];
    expect([at('RigL', 'run_time_shared'), at('Static', 'run_time_shared')]).toEqual(['yes', 'no']);
    // What the run page and the CLI say of one run: 3 / 18 s = 17%.
    expect(sharedTimeNote(shared({ method: 'rigl' }, 18, 3))).toBe('17% of it alongside other runs');
    expect(sharedTimeNote(shared({ method: 'static' }, 20, 0.5))).toBeNull();
    expect(sharedTimeNote(shared({ method: 'set' }, 10, null))).toBeNull();
    // Dense runs that shared the machine are no reference; nothing marked, nothing explained.
    const denseShared = table(shared({ method: 'dense' }, 40, 10), shared({ method: 'static', sparsity: 0.9 }, 20, 0));
    expect(cells(denseShared, 'Static')).toEqual(['20 s', '—']);
    expect(table(shared({ method: 'dense' }, 40, 0)).caption).not.toContain('‡');
  });
});

describe('hyper-parameter sensitivity', () => {
  it('marks the cell with the best mean accuracy and the reference (0.3, 100)', () => {
    const cell = (alpha: number, deltaT: number, accuracies: number[], durationS = 1) =>
      accuracies.map((a, seed) => runRecord({ config: { ...quick, method: 'rigl', maskUpdate: { alpha, deltaT }, seed }, testAccuracy: a, durationS: durationS + seed }));
    const runs = [
      ...cell(0.1, 50, [0.78, 0.8]),
      ...cell(0.1, 100, [0.77, 0.77]),
      // Highest single run (0.83) but mean 0.795: not the best cell.
      ...cell(0.3, 50, [0.83, 0.76]),
      ...cell(0.3, 100, [0.81, 0.8], 31),
    ];
    const [panel] = sensitivityPanels(runs, 'final');
    expect(panel!.alphas).toEqual([0.1, 0.3]);
    expect(panel!.deltaTs).toEqual([50, 100]);
    const best = panel!.cells.filter((c) => c.best);
    expect(best.map((c) => [c.alpha, c.deltaT])).toEqual([[0.3, 100]]);
    expect(best[0]!.group.accuracy.mean).toBeCloseTo(0.805, 12);
    expect(panel!.cells.filter((c) => c.reference).map((c) => [c.alpha, c.deltaT])).toEqual([[0.3, 100]]);
    const view = buildView(viewInput({ name: 's', base: { ...quick, method: 'rigl' }, grid: { alpha: [0.1, 0.3], deltaT: [50, 100], seed: [0, 1] } }, runs));
    expect(view.view).toBe('sensitivity');
    const table = view.tables[0]!;
    expect(table.rows.filter((r) => r.mark).map((r) => r.mark)).toEqual(['best, reference']);
    // Its two runs took 31 and 32 s.
    const runTime = table.columns.findIndex((c) => c.label === 'Run time');
    expect(table.rows.find((r) => r.mark)!.cells[runTime]).toBe('32 s');
    expect(table.csv.rows.find((r) => r[table.csv.header.indexOf('best')] === 1)![table.csv.header.indexOf('run_seconds_mean')]).toBe(31.5);
  });
});

describe('hyper-parameter sensitivity with baselines', () => {
  it('keeps dense and static runs out of the α/ΔT cells: a table of their own, and dense as a line on the panel', () => {
    const runs = [
      runRecord({ config: { ...quick, method: 'rigl', maskUpdate: { alpha: 0.1, deltaT: 10 } }, testAccuracy: 0.7 }),
      runRecord({ config: { ...quick, method: 'rigl', maskUpdate: { alpha: 0.5, deltaT: 10 } }, testAccuracy: 0.72 }),
      // Its α and ΔT are the defaults it never reads; it is the best run of all.
      runRecord({ config: { ...quick, method: 'dense', sparsity: 0 }, testAccuracy: 0.8 }),
      runRecord({ config: { ...quick, method: 'static' }, testAccuracy: 0.69 }),
    ];
    const panels = sensitivityPanels(runs, 'final');
    expect(panels).toHaveLength(1);
    expect(panels[0]!.cells.map((c) => [c.group.config.method, c.alpha, c.best])).toEqual([
      ['rigl', 0.1, false],
      ['rigl', 0.5, true],
    ]);
    const view = buildView(viewInput({ name: 's', base: { ...quick, sparsity: 0.9 }, grid: { method: ['dense', 'static', 'rigl'], alpha: [0.1, 0.5], deltaT: [10] } }, runs));
    expect(view.view).toBe('sensitivity');
    expect(view.tables.map((t) => t.id)).toEqual(['sensitivity', 'baselines']);
    expect(view.tables[0]!.rows.map((r) => r.mark)).toEqual([null, 'best']);
    expect(view.tables[1]!.rows.map((r) => r.cells.slice(0, 4))).toEqual([
      ['Dense', '—', '1', '80.00'],
      ['Static', '90%', '1', '69.00'],
    ]);
    const lines = view.figures.find((f) => f.id === 'accuracy-vs-delta-t')!;
    expect(JSON.stringify(lines.option)).toContain('80.00 Dense');
  });
});

describe('tables of the best accuracies', () => {
  it.each(REPORT_VIEWS)('say so in their column and CSV header (the %s view), the final ones keeping test_accuracy', (view) => {
    const spec = PRESETS.find((p) => p.id === `${view}/fashion-mnist-quick`)!.spec;
    const runs = expandExperiment(parseExperimentSpec(spec)).map((config, i) => runRecord({ config, testAccuracy: 0.7 + i / 1000 }));
    for (const [accuracy, label, csv] of [['best', 'Best test accuracy', 'best_test_accuracy_mean'], ['final', 'Test accuracy', 'test_accuracy_mean']] as const) {
      const tables = buildView({ ...viewInput(spec, runs), accuracy }).tables.filter((t) => t.csv.header.some((h) => h.endsWith('accuracy_mean')));
      expect(tables.length, accuracy).toBeGreaterThan(0);
      for (const table of tables) {
        expect(table.columns.map((c) => c.label), `${table.id} ${accuracy}`).toContain(label);
        expect(table.csv.header, `${table.id} ${accuracy}`).toContain(csv);
      }
    }
  });
});

describe("a view's recipe note", () => {
  it('describes the runs its figures show: a diverged run at another lr does not take the lr out of it', () => {
    const runs = [
      runRecord({ config: { ...quick, method: 'dense', sparsity: 0 }, testAccuracy: 0.8 }),
      runRecord({ config: { ...quick, method: 'dense', sparsity: 0, optimizer: { lr: 100 } }, status: 'diverged', testAccuracy: null }),
    ];
    const view = buildView(viewInput({ name: 'lr', base: { ...quick, method: 'dense', sparsity: 0 }, grid: { lr: [0.05, 100] } }, runs));
    expect(view.notes.find((n) => n.startsWith('Every completed run:'))).toContain('SGD lr 0.05, momentum 0.9 (Nesterov)');
  });
});

describe('fixed parameters vs fixed FLOPs', () => {
  it('pairs each uniform run with ERK at the same sparsity and at the FLOP-matched one', () => {
    const base = { ...quick, model: 'lenet5', method: 'rigl' } as const;
    const reference = inferenceFlopsAt({ model: 'lenet5', dataset: 'fashion-mnist', denseFirstLayer: false, layerSparsity: {} }, 'uniform', 0.9);
    const runs = [
      runRecord({ config: { ...base, distribution: 'uniform', sparsity: 0.9 }, testAccuracy: 0.64 }),
      runRecord({ config: { ...base, distribution: 'erk', sparsity: 0.9 }, testAccuracy: 0.75 }),
      // The sparsity the grid derived (solved by the same function), and a decoy close to it.
      runRecord({ config: { ...base, distribution: 'erk', sparsity: 0.9588 }, testAccuracy: 0.69 }),
      runRecord({ config: { ...base, distribution: 'erk', sparsity: 0.95 }, testAccuracy: 0.7 }),
    ];
    const [pair, ...rest] = flopPairs(groupRuns(runs, 'final'), { reference: 'uniform', matched: 'erk' });
    expect(rest).toHaveLength(0);
    expect(pair!.matchedSparsity).toBe(0.9588);
    expect(pair!.equalParameters?.config).toMatchObject({ distribution: 'erk', sparsity: 0.9 });
    expect(pair!.equalFlops?.config).toMatchObject({ distribution: 'erk', sparsity: 0.9588 });
    // ERK at 95.88% costs uniform 90%'s FLOPs to within the solver's 4 decimals of sparsity: at about
    // 4% density, 0.0001 of sparsity is 0.25% of the active weights.
    const matched = inferenceFlopsAt({ model: 'lenet5', dataset: 'fashion-mnist', denseFirstLayer: false, layerSparsity: {} }, 'erk', 0.9588);
    expect(Math.abs(matched - reference) / reference).toBeLessThan(0.003);
  });

  it('draws both panels on one accuracy scale of whole ticks, from the lowest error bar to the highest, within 0–100%', () => {
    const base = { ...quick, model: 'lenet5', method: 'rigl' } as const;
    const runs = [
      runRecord({ config: { ...base, distribution: 'uniform', sparsity: 0.9 }, testAccuracy: 0.64 }),
      runRecord({ config: { ...base, distribution: 'erk', sparsity: 0.9 }, testAccuracy: 0.995 }),
      runRecord({ config: { ...base, distribution: 'erk', sparsity: 0.9588 }, testAccuracy: 0.69 }),
    ];
    const spec: ExperimentSpecInput = { name: 'x', grid: { distribution: ['uniform', 'erk'] }, derived: { flopMatched: { reference: 'uniform', matched: 'erk' } } };
    const { figures } = paramsVsFlopsView(viewInput(spec, runs));
    const axes = figures.map((f) => f.option.yAxis as { min: number; max: number; interval: number });
    // Only the equal-parameters panel holds the 99.5% run, yet both reach it. 64% to 99.5% padded by
    // 12% of the span each side is 59.7% to 103.8%: a step of 0.2 for about 4 ticks, 40% to 120%,
    // cut at 100%.
    expect(axes[0]).toEqual(axes[1]);
    expect(axes[0]).toMatchObject({ min: 0.4, max: 1, interval: 0.2 });
  });
});

describe('redistribution', () => {
  it('draws one run per variant and tabulates how its layer densities moved', () => {
    const run = (redistribution: 'none' | 'momentum', seed: number) =>
      runRecord({ config: { ...quick, method: 'rigl', sparsity: 0.9, seed, maskUpdate: { redistribution } }, testAccuracy: 0.8 });
    const runs = [run('none', 1), run('none', 0), run('momentum', 0)];
    const spec = { name: 'r', base: { ...quick, method: 'rigl' as const, sparsity: 0.9 }, grid: { redistribution: ['none', 'momentum'] as Array<'none' | 'momentum'>, seed: [0, 1] } };
    const drawn = layerHistoryRuns('redistribution', runs);
    // The lowest seed of each variant.
    expect(drawn).toEqual([runs[1]!.id, runs[2]!.id]);
    const stat = (step: number, layer: string, density: number): LayerStatRecord => ({ step, epoch: step / 56, layer, density, active: 0, params: 0, flops: 0 });
    const history = new Map([
      [runs[1]!.id, [stat(0, 'fc1', 0.1), stat(168, 'fc1', 0.1)]],
      [runs[2]!.id, [stat(0, 'fc1', 0.1), stat(56, 'fc1', 0.08), stat(168, 'fc1', 0.0676)]],
    ]);
    const view = buildView(viewInput(spec, runs, history));
    const densities = view.tables.find((t) => t.id === 'layer-densities')!;
    expect(densities.rows.map((r) => r.cells)).toEqual([
      ['RigL 90%', 'fc1', '10.00%', '10.00%', '+0.00 pp'],
      ['RigL-SM 90%', 'fc1', '10.00%', '6.76%', '-3.24 pp'],
    ]);
    expect(densities.csv.rows).toHaveLength(5);
    expect(view.figures.map((f) => f.id)).toEqual(['accuracy', 'training-flops', 'layer-density-rigl-900', 'layer-density-rigl-sm-900']);
  });
});
