import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import type { LoadedDataset } from '../../src-main/engine/data/index.js';
import { prepareTrainingData } from '../../src-main/engine/data/index.js';
import { setCompression } from '../../src-main/engine/nn/compressed-weights.js';
import type { TrainingObserver } from '../../src-main/engine/observer.js';
import { train } from '../../src-main/engine/trainer.js';
import { fixed, formatTable, ratio } from './table.js';

/**
 * `npm run bench -- --accuracy`: whole runs of LeNet-300-100 on all of Fashion-MNIST at the
 * recipe's settings (15 epochs): dense, RigL-ERK at 90% on the compressed kernels, and the same
 * RigL runs with every layer masked dense, seed by seed. The compressed kernels sum in another
 * order, so the two RigL paths part after a few hundred steps; their final accuracies should differ
 * only as two seeds do. Wall time includes evaluation, as a user's run does.
 */
export interface AccuracyRow {
  kind: 'accuracy';
  model: 'mlp';
  method: 'dense' | 'rigl';
  backend: 'wasm';
  sparsity: number;
  batch: number;
  path: AccuracyPath;
  seed: number;
  epochs: number;
  testAccuracy: number;
  seconds: number;
  /** Whole run's wall time over its steps (evaluation included). */
  msPerStep: number;
}

type AccuracyPath = 'dense' | 'compressed' | 'masked-dense';

const PATHS: Array<{ path: AccuracyPath; input: RunConfigInput }> = [
  { path: 'dense', input: { method: 'dense', sparsity: 0 } },
  { path: 'compressed', input: { method: 'rigl', sparsity: 0.9, distribution: 'erk' } },
  { path: 'masked-dense', input: { method: 'rigl', sparsity: 0.9, distribution: 'erk' } },
];

const silent: TrainingObserver = { started() {}, step() {}, maskUpdate() {}, layerStats() {}, epoch() {}, log() {}, checkpoint() {} };

/** Trains every path for each seed (paths alternate so that each meets the same machine) and returns one row per run. */
export async function accuracyRuns(fashion: LoadedDataset, seeds: number[], progress: (row: AccuracyRow) => void): Promise<AccuracyRow[]> {
  const rows: AccuracyRow[] = [];
  for (const seed of seeds) {
    for (const { path, input } of PATHS) {
      const config = resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp', backend: 'wasm', seed, logEvery: 1000, ...input });
      const backend = await selectBackend(config.backend);
      const data = prepareTrainingData(fashion, config);
      setCompression(path !== 'masked-dense');
      const started = performance.now();
      try {
        const outcome = await train({ config, backend, data, observer: silent });
        if (outcome.testAccuracy === null) throw new Error(`${path} seed ${seed}: the run ended ${outcome.status} without a test accuracy`);
        const ms = performance.now() - started;
        const row: AccuracyRow = {
          kind: 'accuracy',
          model: 'mlp',
          method: config.method === 'dense' ? 'dense' : 'rigl',
          backend: 'wasm',
          sparsity: config.sparsity,
          batch: config.batchSize,
          path,
          seed,
          epochs: config.epochs,
          testAccuracy: outcome.testAccuracy,
          seconds: ms / 1000,
          msPerStep: ms / outcome.stepsDone,
        };
        rows.push(row);
        progress(row);
      } finally {
        setCompression(true);
      }
    }
  }
  return rows;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation: a single seed has none, and its mean is shown alone. */
const sd = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const points = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;

/** Mean ± sd of each path, its difference to dense and to masked dense, per-seed extremes, and run times. */
export function accuracyTable(rows: AccuracyRow[]): string {
  const of = (path: AccuracyPath) => rows.filter((r) => r.path === path);
  const accuracies = (path: AccuracyPath) => of(path).map((r) => r.testAccuracy);
  const denseMean = mean(accuracies('dense'));
  const denseSeconds = mean(of('dense').map((r) => r.seconds));
  const bySeed = (path: AccuracyPath) => new Map(of(path).map((r) => [r.seed, r.testAccuracy]));
  const compressed = bySeed('compressed');
  const masked = bySeed('masked-dense');
  const pairDifferences = [...compressed].flatMap(([seed, a]) => (masked.has(seed) ? [a - masked.get(seed)!] : []));
  const table = formatTable(
    ['path', 'method', 'sparsity', 'seeds', 'test accuracy %', 'per seed', 'vs dense, points', 'run s', 'run speed-up'],
    PATHS.map(({ path }) => {
      const runs = of(path);
      const acc = accuracies(path);
      const seconds = mean(runs.map((r) => r.seconds));
      return [
        path,
        runs[0]!.method,
        runs[0]!.sparsity.toFixed(2),
        String(runs.length),
        acc.length < 2 ? fixed(100 * mean(acc), 2) : `${fixed(100 * mean(acc), 2)} ± ${fixed(100 * sd(acc), 2)}`,
        acc.map((a) => fixed(100 * a, 2)).join(' '),
        path === 'dense' ? '–' : points(mean(acc) - denseMean),
        fixed(seconds, 1),
        path === 'dense' ? '–' : ratio(denseSeconds / seconds),
      ];
    }),
  );
  const worst = Math.max(...pairDifferences.map(Math.abs));
  return [
    table,
    `RigL compressed − masked dense, same seed: mean ${points(mean(pairDifferences))}, largest ${(100 * worst).toFixed(2)} points over ${pairDifferences.length} seed${pairDifferences.length === 1 ? '' : 's'}`,
    `(LeNet-300-100, Fashion-MNIST, ${rows[0]!.epochs} epochs, batch ${rows[0]!.batch}; run s is the wall time of the whole run, evaluation included)`,
  ].join('\n');
}
