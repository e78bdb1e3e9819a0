import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentSpec } from '../../src-shared/config/experiment.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { openStore, type Store } from '../../src-main/store/index.js';

/**
 * Measures the store on realistic volumes and prints the figures. The bounds asserted are loose
 * (10x below what this 2-core machine does) so that only a real regression fails.
 */
const METRICS = ['train_loss', 'train_accuracy', 'lr', 'examples_per_s', 'train_flops'] as const;
const STEPS = 20_000; // x 5 metrics = 100,000 rows
const LAYERS = Array.from({ length: 23 }, (_, i) => `block${i}/conv`); // WRN-22-2 has 23 masked tensors

let dir: string;
let store: Store;
let runId: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigl-store-bench-'));
  store = openStore(join(dir, 'db.sqlite'));
  runId = store.createRun(resolveRunConfig({}));
});
afterAll(() => {
  expect(store.checkIntegrity()).toEqual([]);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function timed<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

describe('store throughput', () => {
  it('records 100,000 metric rows and 100,000 layer rows', () => {
    const recorder = store.openRecorder(runId);
    const metrics = timed(() => {
      for (let step = 0; step < STEPS; step++) {
        recorder.metrics(step, step / 400, {
          train_loss: 2 / (1 + step),
          train_accuracy: step / STEPS,
          lr: 0.1,
          examples_per_s: 4000 + (step % 7),
          train_flops: step * 1.5e9,
        });
      }
      recorder.flush();
    });
    const layerSteps = Math.ceil(100_000 / LAYERS.length);
    const layers = timed(() => {
      for (let step = 0; step < layerSteps; step++) {
        recorder.layerStats(
          step,
          step / 400,
          LAYERS.map((layer, i) => ({ layer, density: 0.1 + i / 100, active: 1000 + i, params: 10_000, flops: 2e6 })),
        );
      }
      recorder.close();
    });
    const metricRate = (STEPS * METRICS.length) / (metrics.ms / 1000);
    const layerRate = (layerSteps * LAYERS.length) / (layers.ms / 1000);
    // A logged step of a WRN-22-2 run writes 5 metrics and 23 layer rows.
    const perLoggedStepMs = (METRICS.length / metricRate + LAYERS.length / layerRate) * 1000;
    console.log(
      `recorder: ${Math.round(metricRate)} metric rows/s (${metrics.ms.toFixed(0)} ms for 100,000), ` +
        `${Math.round(layerRate)} layer rows/s; one logged step (5 metrics + 23 layers) costs ${perLoggedStepMs.toFixed(3)} ms`,
    );
    expect(store.getMetrics(runId, { names: ['lr'] })[0]!.points).toHaveLength(STEPS);
    expect(metricRate).toBeGreaterThan(20_000);
    expect(layerRate).toBeGreaterThan(10_000);
  });

  it('reads 100,000 metric points of one run, in full and downsampled for a chart', () => {
    const full = timed(() => store.getMetrics(runId));
    const sampled = timed(() => store.getMetrics(runId, { maxPoints: 1000 }));
    const points = full.result.reduce((n, s) => n + s.points.length, 0);
    console.log(`read: ${points} points in ${full.ms.toFixed(0)} ms; downsampled to at most 1000 per metric in ${sampled.ms.toFixed(0)} ms`);
    expect(points).toBe(100_000);
    // stride ceil(19,999 / 999) = 21: indices 0, 21, ..., 19,992 (953 + 1) plus the last.
    expect(sampled.result.map((s) => s.points.length)).toEqual([954, 954, 954, 954, 954]);
    expect(full.ms).toBeLessThan(3000);
  });

  it('lists 1,000 runs', () => {
    const spec = parseExperimentSpec({ name: 'many' });
    const configs = Array.from({ length: 999 }, (_, seed) => resolveRunConfig({ seed }));
    const created = timed(() => store.createExperiment(spec, configs));
    const listed = timed(() => store.listRuns({ limit: 1000 }));
    const searched = timed(() => store.listRuns({ search: '"seed 99"', limit: 1000 }));
    console.log(
      `runs: created 999 in one transaction in ${created.ms.toFixed(0)} ms; listed 1,000 in ${listed.ms.toFixed(0)} ms; ` +
        `searched in ${searched.ms.toFixed(0)} ms`,
    );
    expect(listed.result).toHaveLength(1000);
    // The phrase: seed 99 and seed 990..998.
    expect(searched.result).toHaveLength(10);
    expect(listed.ms).toBeLessThan(2000);
  });
});
