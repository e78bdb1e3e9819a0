import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { openStore, type Store } from '../../src-main/store/index.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
let now = T0;
let file: string;
let store: Store;
/** A second connection, as the dashboard of another process would have. */
let reader: Store;
let runId: number;

beforeEach(() => {
  now = T0;
  file = join(mkdtempSync(join(tmpdir(), 'rigl-store-recorder-')), 'db.sqlite');
  store = openStore(file, { clock: () => now });
  reader = openStore(file, { readonly: true });
  runId = store.createRun(resolveRunConfig({}));
});
afterEach(() => {
  expect(store.checkIntegrity()).toEqual([]);
  reader.close();
  store.close();
  rmSync(dirname(file), { recursive: true, force: true });
});

const stepsOf = (name: string, s: Store = store): number[] =>
  s.getMetrics(runId, { names: [name] })[0]!.points.map((p) => p.step);
const valuesOf = (name: string): Array<number | null> => store.getMetrics(runId, { names: [name] })[0]!.points.map((p) => p.value);

describe('Recorder batching', () => {
  it('holds rows until maxRows wait, then writes them in one go', () => {
    const recorder = store.openRecorder(runId, { maxRows: 10, maxDelayMs: 60_000 });
    for (let step = 0; step < 3; step++) recorder.metrics(step, 0, { train_loss: 1, train_accuracy: 0.5, lr: 0.1 });
    expect(recorder.pending).toBe(9);
    expect(reader.metricNames(runId)).toEqual([]);
    recorder.metrics(3, 0, { train_loss: 1, train_accuracy: 0.5, lr: 0.1 });
    expect(recorder.pending).toBe(0);
    expect(reader.metricNames(runId)).toEqual(['lr', 'train_accuracy', 'train_loss']);
    expect(stepsOf('lr', reader)).toEqual([0, 1, 2, 3]);
    recorder.close();
  });

  it('writes once the oldest waiting row is maxDelayMs old', () => {
    const recorder = store.openRecorder(runId, { maxRows: 1000, maxDelayMs: 1000 });
    recorder.metrics(0, 0, { train_loss: 2 });
    now += 999;
    recorder.metrics(1, 0, { train_loss: 1.5 });
    expect(recorder.pending).toBe(2);
    now += 1;
    recorder.metrics(2, 0, { train_loss: 1 });
    expect(recorder.pending).toBe(0);
    expect(stepsOf('train_loss', reader)).toEqual([0, 1, 2]);
    recorder.close();
  });

  it('writes from its timer while nothing new arrives', async () => {
    const recorder = store.openRecorder(runId, { maxRows: 1000, maxDelayMs: 20 });
    recorder.metrics(0, 0, { val_accuracy: 0.7 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recorder.pending).toBe(0);
    expect(stepsOf('val_accuracy', reader)).toEqual([0]);
    recorder.close();
  });

  it('writes on flush() and close(), and takes nothing after close', () => {
    const recorder = store.openRecorder(runId);
    recorder.metrics(5, 0.5, { lr: 0.05 });
    recorder.flush();
    expect(stepsOf('lr', reader)).toEqual([5]);
    recorder.layerStats(5, 0.5, [{ layer: 'dense1', density: 0.25, active: 25, params: 100, flops: 50 }]);
    recorder.close();
    expect(reader.latestLayerStats(runId)).toEqual([
      { step: 5, epoch: 0.5, layer: 'dense1', density: 0.25, active: 25, params: 100, flops: 50 },
    ]);
    expect(() => recorder.metrics(6, 0.6, { lr: 0.05 })).toThrow(/recorder of run 1 is closed/);
  });

  it('names the run when it was deleted under the recorder', () => {
    const recorder = store.openRecorder(runId);
    recorder.metrics(1, 0, { lr: 0.1 });
    store.deleteRun(runId);
    expect(() => recorder.flush()).toThrow(/run 1 does not exist/);
  });

  it('writes waiting rows and the checkpoint in one transaction', () => {
    const recorder = store.openRecorder(runId, { maxRows: 1000, maxDelayMs: 60_000 });
    recorder.metrics(100, 1, { train_loss: 0.3 });
    recorder.maskUpdates(100, [{ layer: 'dense1', active: 25, dropped: 7, grown: 7 }]);
    now += 2500;
    const id = recorder.checkpoint({ step: 100, epoch: 1, path: '/ckpt/run-1/step-100', bytes: 4096 });
    expect(recorder.pending).toBe(0);
    expect(reader.listCheckpoints(runId)).toEqual([
      { id, runId, step: 100, epoch: 1, path: '/ckpt/run-1/step-100', bytes: 4096, createdAt: '2026-11-25T10:00:02.500Z' },
    ]);
    expect(reader.getMaskUpdates(runId)).toEqual([{ step: 100, layer: 'dense1', active: 25, dropped: 7, grown: 7 }]);
    expect(store.deleteCheckpoint(id)).toBe(true);
    expect(store.listCheckpoints(runId)).toEqual([]);
    recorder.close();
  });
});

describe('exact resume', () => {
  it('deleteRowsAfterStep drops later rows so a replay replaces them instead of duplicating', () => {
    const first = store.openRecorder(runId);
    for (let step = 0; step <= 10; step++) {
      first.metrics(step, step / 5, { train_loss: step, lr: 0.1 });
      if (step % 5 === 0) {
        first.layerStats(step, step / 5, [
          { layer: 'a', density: 0.5, active: 5, params: 10, flops: 10 },
          { layer: 'b', density: 0.2, active: 2, params: 10, flops: 4 },
        ]);
      }
      if (step % 4 === 0) first.maskUpdates(step, [{ layer: 'a', active: 5, dropped: 1, grown: 1 }]);
    }
    first.close();

    // Checkpoint at step 6: steps 7..10 are gone (4 steps x 2 metrics), the layer stats of
    // step 10 (2 rows) and the mask update of step 8 (1 row).
    expect(store.deleteRowsAfterStep(runId, 6)).toEqual({ metrics: 8, layerStats: 2, maskUpdates: 1 });

    const resumed = store.openRecorder(runId);
    for (let step = 7; step <= 10; step++) resumed.metrics(step, step / 5, { train_loss: 100 + step, lr: 0.1 });
    resumed.close();
    expect(stepsOf('train_loss')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(valuesOf('train_loss')).toEqual([0, 1, 2, 3, 4, 5, 6, 107, 108, 109, 110]);
    expect(store.layerStatsOverTime(runId).map((l) => [l.step, l.layer])).toEqual([
      [0, 'a'],
      [0, 'b'],
      [5, 'a'],
      [5, 'b'],
    ]);
    expect(store.getMaskUpdates(runId).map((u) => u.step)).toEqual([0, 4]);
  });

  it('a row recorded again for the same step replaces the first', () => {
    const recorder = store.openRecorder(runId);
    recorder.metrics(50, 1, { test_accuracy: 0.8 });
    recorder.flush();
    recorder.metrics(50, 1, { test_accuracy: 0.85 });
    recorder.close();
    expect(valuesOf('test_accuracy')).toEqual([0.85]);
  });
});

describe('reads', () => {
  it('downsamples to at most N evenly spaced points, keeping the first and the last', () => {
    const recorder = store.openRecorder(runId);
    for (let step = 0; step <= 10; step++) recorder.metrics(step * 10, step, { train_loss: 1 / (step + 1) });
    recorder.close();
    const sampled = (maxPoints: number): number[] =>
      store.getMetrics(runId, { names: ['train_loss'], maxPoints })[0]!.points.map((p) => p.step);
    // 11 points: stride ceil(10 / 3) = 4 keeps indices 0, 4, 8 and the last, 10.
    expect(sampled(4)).toEqual([0, 40, 80, 100]);
    expect(sampled(2)).toEqual([0, 100]);
    // stride ceil(10 / 5) = 2: indices 0, 2, ..., 10.
    expect(sampled(6)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(sampled(11)).toHaveLength(11);
    expect(sampled(1000)).toHaveLength(11);
    expect(() => sampled(1)).toThrow(/maxPoints: must be a whole number of at least 2/);
  });

  it('returns every metric by default, NaN as null', () => {
    const recorder = store.openRecorder(runId);
    recorder.metrics(0, 0, { train_loss: 2.5, lr: 0.1 });
    recorder.metrics(1, 0, { train_loss: Number.NaN });
    recorder.close();
    const series = store.getMetrics(runId);
    expect(series.map((s) => s.name)).toEqual(['lr', 'train_loss']);
    expect(series[1]!.points).toEqual([
      { step: 0, epoch: 0, value: 2.5 },
      { step: 1, epoch: 0, value: null },
    ]);
  });

  it('gives each layer its latest stats in model order, and one layer over time', () => {
    const recorder = store.openRecorder(runId);
    const stat = (layer: string, density: number) => ({ layer, density, active: density * 100, params: 100, flops: density * 200 });
    recorder.layerStats(0, 0, [stat('conv1', 1), stat('conv2', 0.5), stat('fc', 0.25)]);
    recorder.layerStats(100, 1, [stat('conv1', 1), stat('conv2', 0.4)]);
    recorder.close();
    expect(store.latestLayerStats(runId).map((l) => [l.layer, l.step, l.density])).toEqual([
      ['conv1', 100, 1],
      ['conv2', 100, 0.4],
      ['fc', 0, 0.25],
    ]);
    expect(store.layerStatsOverTime(runId, 'conv2').map((l) => [l.step, l.active])).toEqual([
      [0, 50],
      [100, 40],
    ]);
  });

  it('returns logs in order and after a given id', () => {
    const a = store.appendRunLog(runId, 'info', 'epoch 1');
    now += 1000;
    store.appendRunLog(runId, 'error', 'NaN loss');
    expect(store.getRunLogs(runId, { afterId: a })).toEqual([
      { id: a + 1, time: '2026-11-25T10:00:01.000Z', level: 'error', message: 'NaN loss' },
    ]);
    expect(store.getRunLogs(runId, { limit: 1 }).map((l) => l.message)).toEqual(['epoch 1']);
    // The newest lines, still oldest first: a long run's end is what its page and `show` give.
    store.appendRunLog(runId, 'info', 'epoch 2');
    expect(store.getRunLogs(runId, { last: 2 }).map((l) => l.message)).toEqual(['NaN loss', 'epoch 2']);
    expect(store.getRunLogs(runId, { last: 10 }).map((l) => l.message)).toEqual(['epoch 1', 'NaN loss', 'epoch 2']);
    expect(store.countRunLogs(runId)).toBe(3);
  });
});
