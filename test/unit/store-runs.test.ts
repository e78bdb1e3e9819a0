import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandExperiment, experimentSpecSchema, parseExperimentSpec } from '../../src-shared/config/experiment.js';
import { ConfigError, resolveRunConfig } from '../../src-shared/config/run.js';
import { openStore, StoreError, type Store } from '../../src-main/store/index.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
let now = T0;
let file: string;
let store: Store;

beforeEach(() => {
  now = T0;
  file = join(mkdtempSync(join(tmpdir(), 'rigl-store-runs-')), 'db.sqlite');
  store = openStore(file, { clock: () => now });
});
afterEach(() => {
  expect(store.checkIntegrity()).toEqual([]);
  store.close();
  rmSync(dirname(file), { recursive: true, force: true });
});

const sweep = parseExperimentSpec({
  name: 'Sweep',
  description: 'RigL against dense',
  tags: ['fmnist'],
  preset: 'quick',
  base: { trainSubset: 1000 },
  grid: { method: ['rigl', 'dense'], sparsity: [0.8, 0.9] },
});

function countRows(table: string, runId: number): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = ?`).pluck().get(runId) as number;
  } finally {
    db.close();
  }
}

describe('experiments', () => {
  it('writes an experiment with its runs, queued in order, with descriptive names', () => {
    const configs = expandExperiment(sweep);
    expect(configs).toHaveLength(3); // rigl 0.8, rigl 0.9, and one dense (its sparsities collapse)
    const created = store.createExperiment(sweep, configs);
    expect(created).toEqual({ experimentId: 1, runIds: [1, 2, 3] });
    expect(store.getExperiment(1)).toEqual({
      id: 1,
      name: 'Sweep',
      description: 'RigL against dense',
      tags: ['fmnist'],
      preset: 'quick',
      spec: sweep,
      createdAt: '2026-11-25T10:00:00.000Z',
    });
    const runs = store.listRuns({ experimentId: 1, orderBy: 'queue' });
    expect(runs.map((r) => [r.id, r.name, r.status, r.queuePosition])).toEqual([
      [1, 'RigL ERK 80% · mlp · seed 0', 'queued', 0],
      [2, 'RigL ERK 90% · mlp · seed 0', 'queued', 1],
      [3, 'Dense · mlp · seed 0', 'queued', 2],
    ]);
    expect(runs[2]?.config).toEqual(configs[2]);
    expect(store.listExperiments().map((e) => [e.name, e.runCounts.queued, e.runCounts.running])).toEqual([['Sweep', 3, 0]]);
  });

  it('writes nothing when one run config is invalid', () => {
    const good = resolveRunConfig({});
    const bad = { ...good, sparsity: 1.5 };
    expect(() => store.createExperiment(sweep, [good, bad])).toThrow(ConfigError);
    expect(() => store.createExperiment(sweep, [good, bad])).toThrow(/config\.sparsity/);
    expect(store.listExperiments()).toEqual([]);
    expect(store.countRuns()).toBe(0);
  });

  it('deleting an experiment deletes its runs and their rows, and leaves other runs', () => {
    const { runIds } = store.createExperiment(sweep, expandExperiment(sweep));
    const loneRun = store.createRun(resolveRunConfig({}), { name: 'lone' });
    const first = runIds[0]!;
    const recorder = store.openRecorder(first);
    recorder.metrics(10, 1, { train_loss: 0.5 });
    recorder.layerStats(10, 1, [{ layer: 'dense1', density: 0.1, active: 10, params: 100, flops: 20 }]);
    recorder.maskUpdates(10, [{ layer: 'dense1', active: 10, dropped: 3, grown: 3 }]);
    recorder.checkpoint({ step: 10, epoch: 1, path: '/tmp/ckpt-10', bytes: 123 });
    store.appendRunLog(first, 'info', 'started');
    expect(['metrics', 'layer_stats', 'mask_updates', 'checkpoints', 'run_logs'].map((t) => countRows(t, first))).toEqual([1, 1, 1, 1, 1]);

    expect(store.deleteExperiment(1)).toBe(true);
    expect(store.getExperiment(1)).toBeUndefined();
    expect(store.listRuns().map((r) => r.id)).toEqual([loneRun]);
    expect(['metrics', 'layer_stats', 'mask_updates', 'checkpoints', 'run_logs'].map((t) => countRows(t, first))).toEqual([0, 0, 0, 0, 0]);
    expect(store.deleteExperiment(1)).toBe(false);
  });

  it('refuses to delete an experiment while one of its runs is running', () => {
    store.createExperiment(sweep, expandExperiment(sweep));
    store.claimNextQueuedRun();
    expect(() => store.deleteExperiment(1)).toThrow(/experiment 1 has a running run/);
  });
});

describe('runs', () => {
  it('deletes a run with its rows, but not while it runs', () => {
    const id = store.createRun(resolveRunConfig({}));
    store.updateRunStatus(id, 'running');
    store.openRecorder(id).close();
    store.appendRunLog(id, 'warn', 'slow');
    expect(() => store.deleteRun(id)).toThrow(/run 1 is running; stop it before deleting it/);
    store.updateRunStatus(id, 'cancelled');
    expect(store.deleteRun(id)).toBe(true);
    expect(store.getRun(id)).toBeUndefined();
    expect(countRows('run_logs', id)).toBe(0);
    expect(store.deleteRun(id)).toBe(false);
  });

  it('lists with filters, search, order and paging', () => {
    store.createExperiment(sweep, expandExperiment(sweep)); // runs 1-3
    const cifar = store.createRun(resolveRunConfig({ dataset: 'cifar10', method: 'set' }), { name: 'wide net' }); // 4
    const tagged = store.createRun(resolveRunConfig({ method: 'static' }), { name: 'tagged' }); // 5
    store.setRunTags(tagged, ['baseline', '100%_done']);
    store.setRunNotes(cifar, 'Check the LR');
    store.updateRunStatus(cifar, 'running');
    store.finishRun(cifar, { testAccuracy: 0.91 });
    store.updateRunStatus(2, 'running');
    store.finishRun(2, { testAccuracy: 0.93 });

    const ids = (runs: Array<{ id: number }>): number[] => runs.map((r) => r.id);
    expect(ids(store.listRuns())).toEqual([5, 4, 3, 2, 1]);
    expect(ids(store.listRuns({ orderBy: 'oldest', limit: 2, offset: 1 }))).toEqual([2, 3]);
    expect(ids(store.listRuns({ orderBy: 'testAccuracy' }))).toEqual([2, 4, 1, 3, 5]);
    expect(ids(store.listRuns({ orderBy: 'name' }))).toEqual([3, 1, 2, 5, 4]);
    expect(ids(store.listRuns({ status: 'completed' }))).toEqual([4, 2]);
    expect(ids(store.listRuns({ status: ['queued', 'completed'], experimentId: 1 }))).toEqual([3, 2, 1]);
    expect(ids(store.listRuns({ experimentId: null }))).toEqual([5, 4]);
    expect(ids(store.listRuns({ search: 'cifar10' }))).toEqual([4]); // the dataset
    expect(ids(store.listRuns({ search: 'DENSE' }))).toEqual([3]); // name and method, any case
    expect(ids(store.listRuns({ search: 'lr' }))).toEqual([4]); // notes, not the config's lr field
    expect(ids(store.listRuns({ search: '100%' }))).toEqual([5]); // % is literal
    expect(ids(store.listRuns({ search: '0%_d' }))).toEqual([5]);
    expect(ids(store.listRuns({ search: '1%0' }))).toEqual([]);
    // Words in any order, each in any field: the name's and the method's here.
    expect(ids(store.listRuns({ search: '  set  wide ' }))).toEqual([4]);
    expect(ids(store.listRuns({ search: 'wide dense' }))).toEqual([]);
    // A quoted phrase keeps its words together.
    expect(ids(store.listRuns({ search: '"wide net" set' }))).toEqual([4]);
    expect(ids(store.listRuns({ search: '"net wide"' }))).toEqual([]);
    // The experiment's name and tags find its runs.
    expect(ids(store.listRuns({ search: 'sweep' }))).toEqual([3, 2, 1]);
    expect(ids(store.listRuns({ search: 'fmnist rigl' }))).toEqual([2, 1]);
    expect(store.countRuns({ status: 'queued' })).toBe(3);
    expect(() => store.listRuns({ limit: 0 })).toThrow(/listRuns\.limit/);
  });

  it('stores backend, progress, tags and notes', () => {
    const id = store.createRun(resolveRunConfig({}));
    store.setRunBackend(id, { backend: 'wasm', reason: 'tfjs-node is not installed', device: 'CPU (WebAssembly SIMD)', versions: { 'rigl-lab': '0.1.0', 'tfjs-core': '4.22.0' } });
    store.setRunProgress(id, 0, 4200);
    store.setRunProgress(id, 150);
    store.setRunTags(id, ['a', 'b']);
    store.setRunNotes(id, 'first try');
    expect(store.getRun(id)).toMatchObject({
      backend: 'wasm',
      backendReason: 'tfjs-node is not installed',
      device: 'CPU (WebAssembly SIMD)',
      backendVersions: { 'rigl-lab': '0.1.0', 'tfjs-core': '4.22.0' },
      stepsDone: 150,
      totalSteps: 4200,
      tags: ['a', 'b'],
      notes: 'first try',
    });
    expect(() => store.setRunTags(id, ['ok', ' '])).toThrow(/tags\.1/);
    expect(() => store.setRunNotes(99, 'x')).toThrow(/run 99 does not exist/);
  });

  it('reports a row that no longer parses with the file, the run and the field', () => {
    const id = store.createRun(resolveRunConfig({}));
    const db = new Database(file);
    db.prepare("UPDATE runs SET config = json_set(config, '$.sparsity', 2) WHERE id = ?").run(id);
    db.close();
    expect(() => store.getRun(id)).toThrow(StoreError);
    expect(() => store.listRuns()).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}: run 1 cannot be read:\\nconfig\\.sparsity`));
  });
});

describe('run status', () => {
  it('keeps what a stopped run measured until it is queued again', () => {
    const id = store.createRun(resolveRunConfig({}));
    store.updateRunStatus(id, 'running');
    // A tenth of the standard dense run (3 · 532,400 · 128 · 6,315 FLOPs), and the last epoch's accuracy.
    const stopped = store.updateRunStatus(id, 'cancelled', { error: 'stopped on request', results: { testAccuracy: 0.4437, trainFlops: 129_104_870_400 } });
    expect(stopped).toMatchObject({ status: 'cancelled', testAccuracy: 0.4437, trainFlops: 129_104_870_400 });
    expect(stopped.trainFlopsRatio).toBeCloseTo(0.1, 12);
    expect(store.updateRunStatus(id, 'queued')).toMatchObject({ testAccuracy: null, trainFlops: null, trainFlopsRatio: null });
  });

  it('stamps times, sums running time over sessions and clears the queue position', () => {
    const id = store.createRun(resolveRunConfig({}));
    now = T0 + 5_000;
    const running = store.updateRunStatus(id, 'running');
    expect(running).toMatchObject({ status: 'running', queuePosition: null, startedAt: '2026-11-25T10:00:05.000Z', ownerPid: process.pid });
    now = T0 + 95_000;
    expect(store.updateRunStatus(id, 'interrupted', { error: 'stopped by the user' })).toMatchObject({
      status: 'interrupted',
      finishedAt: '2026-11-25T10:01:35.000Z',
      durationS: 90,
      error: 'stopped by the user',
      ownerPid: null,
    });
    now = T0 + 200_000;
    expect(store.updateRunStatus(id, 'queued')).toMatchObject({ queuePosition: 0, finishedAt: null, error: null, durationS: 90 });
    store.updateRunStatus(id, 'running');
    now = T0 + 230_500;
    // 0.35 of the standard dense run (3 · 532,400 FLOPs · 128 examples · 6,315 steps): the ratio is worked out when read.
    const done = store.finishRun(id, { testAccuracy: 0.8812, trainFlops: 451_867_046_400, parameters: 266_610 });
    expect(done).toMatchObject({
      status: 'completed',
      startedAt: '2026-11-25T10:03:20.000Z',
      finishedAt: '2026-11-25T10:03:50.500Z',
      durationS: 120.5,
      testAccuracy: 0.8812,
      trainFlopsRatio: 0.35,
      parameters: 266_610,
      bestTestAccuracy: null,
      inferenceFlops: null,
    });
    expect(() => store.updateRunStatus(id, 'running')).toThrow(/run 1 is completed and cannot become running/);
  });

  /** Marks a running run as owned by a process that no longer exists (above the largest pid Linux hands out). */
  function ownedByDeadProcess(id: number): void {
    const db = new Database(file);
    db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(2 ** 22 + 12_345, id);
    db.close();
  }

  /** Runs a, b and c (queued); a started at 0 s and b at 20 s from T0; now 60 s. */
  function aThenB(): [number, number, number] {
    const config = resolveRunConfig({});
    const [a, b, c] = [store.createRun(config), store.createRun(config), store.createRun(config)];
    store.updateRunStatus(a, 'running');
    now = T0 + 20_000;
    store.updateRunStatus(b, 'running');
    now = T0 + 60_000;
    return [a, b, c];
  }

  it('records how long a run trained while other runs did', () => {
    // a: 0–60 s. b: 20–100 s. c: 110–130 s, alone.
    const [a, b, c] = aThenB();
    // a shared 20–60 s with b, still running: 40 of its 60 s.
    expect(store.finishRun(a, {})).toMatchObject({ durationS: 60, sharedS: 40 });
    now = T0 + 100_000;
    // b shared 20–60 s with a, finished by then: 40 of its 80 s.
    expect(store.updateRunStatus(b, 'cancelled')).toMatchObject({ durationS: 80, sharedS: 40 });
    now = T0 + 110_000;
    store.updateRunStatus(c, 'running');
    now = T0 + 130_000;
    expect(store.finishRun(c, {})).toMatchObject({ durationS: 20, sharedS: 0 });
    // A second session of b, 140–150 s, alone: its shared time stays 40 s.
    now = T0 + 140_000;
    store.updateRunStatus(b, 'queued');
    store.updateRunStatus(b, 'running');
    now = T0 + 150_000;
    expect(store.finishRun(b, {})).toMatchObject({ durationS: 90, sharedS: 40 });
  });

  it("counts other runs' earlier sessions, and not a run whose process died while running it", () => {
    // a: 0–60 s, interrupted, then again from 70 s. b: 20–100 s.
    const [a, b, c] = aThenB();
    store.updateRunStatus(a, 'interrupted');
    now = T0 + 70_000;
    store.updateRunStatus(a, 'queued');
    store.updateRunStatus(a, 'running');
    now = T0 + 100_000;
    // b shared 20–60 s with a's first session and 70–100 s with its second: 70 of its 80 s.
    expect(store.finishRun(b, {})).toMatchObject({ durationS: 80, sharedS: 70 });
    // a's process dies (its row stays running); c trains 110–130 s beside nothing.
    ownedByDeadProcess(a);
    now = T0 + 110_000;
    store.updateRunStatus(c, 'running');
    now = T0 + 130_000;
    expect(store.finishRun(c, {})).toMatchObject({ durationS: 20, sharedS: 0 });
  });

  it('counts a session whose process died until it last recorded, in its own time and in the time others shared with it', () => {
    const [a, b, c] = aThenB();
    // a records at 30 s, checkpoints at 40 s and records at 55 s; its process dies, its row still running.
    const recorder = store.openRecorder(a);
    now = T0 + 30_000;
    recorder.metrics(100, 1, { train_loss: 1 });
    recorder.flush();
    now = T0 + 40_000;
    recorder.checkpoint({ step: 200, epoch: 2, path: '/tmp/ckpt-200', bytes: 1 });
    now = T0 + 55_000;
    recorder.metrics(250, 2.5, { train_loss: 0.5 });
    recorder.close();
    ownedByDeadProcess(a);
    // b, 20–100 s, shared 20–55 s with a (until a last recorded): 35 of its 80 s.
    now = T0 + 100_000;
    expect(store.finishRun(b, {})).toMatchObject({ durationS: 80, sharedS: 35 });
    // Found at 120 s: a's session counts 0–55 s, 35 s of it beside b.
    now = T0 + 120_000;
    expect(store.markStaleRunningAsInterrupted()).toEqual([a]);
    expect(store.getRun(a)).toMatchObject({
      status: 'interrupted',
      finishedAt: '2026-11-25T10:02:00.000Z',
      durationS: 55,
      sharedS: 35,
      error: expect.stringMatching(/stopped before the run ended; this session counts until it last wrote metrics or a checkpoint, at 2026-11-25T10:00:55.000Z$/),
    });
    // Resumed at 130 s from the 40-s checkpoint: the 15 s after it (all beside b) are redone.
    now = T0 + 130_000;
    store.updateRunStatus(a, 'queued');
    store.updateRunStatus(a, 'running');
    store.discardTimeAfter(a, '2026-11-25T10:00:40.000Z');
    expect(store.getRun(a)).toMatchObject({ durationS: 40, sharedS: 20 });
    // Its process dies again before recording anything; c trains 140–150 s beside nothing of it.
    ownedByDeadProcess(a);
    now = T0 + 140_000;
    store.updateRunStatus(c, 'running');
    now = T0 + 150_000;
    expect(store.finishRun(c, {})).toMatchObject({ sharedS: 0 });
    now = T0 + 170_000;
    expect(store.markStaleRunningAsInterrupted()).toEqual([a]);
    expect(store.getRun(a)).toMatchObject({
      durationS: 40,
      sharedS: 20,
      error: expect.stringMatching(/this session wrote no metrics or checkpoint, so its time is not counted$/),
    });
    // Resumed from the same checkpoint once more, 180–210 s: 70 s in all, as if it had never stopped.
    now = T0 + 180_000;
    store.updateRunStatus(a, 'queued');
    store.updateRunStatus(a, 'running');
    store.discardTimeAfter(a, '2026-11-25T10:00:40.000Z');
    now = T0 + 210_000;
    expect(store.finishRun(a, {})).toMatchObject({ durationS: 70, sharedS: 20 });
  });

  it('takes back the time a resume redoes, whichever way the run stopped', () => {
    const id = store.createRun(resolveRunConfig({}));
    // 0–30 s, a checkpoint at 20 s, cancelled; 40–70 s from it, checkpoint at 60 s, failed.
    store.updateRunStatus(id, 'running');
    const first = store.openRecorder(id);
    now = T0 + 20_000;
    first.checkpoint({ step: 10, epoch: 1, path: '/tmp/ckpt-10', bytes: 1 });
    first.close();
    now = T0 + 30_000;
    store.updateRunStatus(id, 'cancelled');
    now = T0 + 40_000;
    store.updateRunStatus(id, 'queued');
    store.updateRunStatus(id, 'running');
    store.discardTimeAfter(id, '2026-11-25T10:00:20.000Z');
    now = T0 + 70_000;
    expect(store.updateRunStatus(id, 'failed')).toMatchObject({ durationS: 50 });
    // The 60-s checkpoint is damaged: the resume falls back to the 20-s one, and all of the second session is redone.
    store.updateRunStatus(id, 'queued');
    store.updateRunStatus(id, 'running');
    store.discardTimeAfter(id, '2026-11-25T10:00:20.000Z');
    expect(store.getRun(id)).toMatchObject({ durationS: 20, sharedS: 0 });
    // No readable checkpoint at all: the run starts over and has no time yet.
    store.discardTimeAfter(id, null);
    expect(store.getRun(id)).toMatchObject({ durationS: 0, sharedS: 0 });
    now = T0 + 75_000;
    expect(store.finishRun(id, {})).toMatchObject({ durationS: 5, sharedS: 0 });
  });

  it('leaves the shared time unknown for a run resumed from a store that did not record it', () => {
    const id = store.createRun(resolveRunConfig({}));
    store.updateRunStatus(id, 'running');
    now = T0 + 10_000;
    store.updateRunStatus(id, 'interrupted');
    const db = new Database(file);
    db.prepare('UPDATE runs SET shared_s = NULL WHERE id = ?').run(id);
    db.close();
    store.updateRunStatus(id, 'queued');
    store.updateRunStatus(id, 'running');
    now = T0 + 15_000;
    expect(store.finishRun(id, {})).toMatchObject({ durationS: 15, sharedS: null });
  });

  it('records the step where a run diverged', () => {
    const id = store.createRun(resolveRunConfig({}));
    store.updateRunStatus(id, 'running');
    expect(store.updateRunStatus(id, 'diverged', { divergedStep: 1234, error: 'loss is NaN' })).toMatchObject({
      status: 'diverged',
      divergedStep: 1234,
      error: 'loss is NaN',
    });
    expect(() => store.finishRun(id, {})).toThrow(/is diverged and cannot become completed/);
  });
});

describe('experiments from older versions', () => {
  it('still reads one whose grid lists a value twice (refused for new ones)', () => {
    const old = experimentSpecSchema.parse({ name: 'old', grid: { sparsity: [0.9, 0.9] } });
    expect(() => parseExperimentSpec(old)).toThrow(/grid.sparsity: lists 0.9 twice/);
    const { experimentId } = store.createExperiment(old, expandExperiment(old));
    expect(store.listExperiments().map((e) => e.name)).toEqual(['old']);
    expect(store.getExperiment(experimentId)?.spec.grid.sparsity).toEqual([0.9, 0.9]);
  });
});

describe('run names', () => {
  it('name each run of an experiment by what sets it apart, the values it sweeps included', () => {
    const spec = parseExperimentSpec({ name: 'α × ΔT', base: { method: 'rigl', sparsity: 0.9 }, grid: { alpha: [0.1, 0.3], deltaT: [10, 100], seed: [0, 1] } });
    const { runIds } = store.createExperiment(spec, expandExperiment(spec));
    const names = runIds.map((id) => store.getRun(id)!.name);
    expect(new Set(names).size).toBe(8);
    expect(names).toContain('RigL ERK 90% · α 0.3 · ΔT 10 · mlp · seed 1');
    // A run outside an experiment, and a grid of methods: the fields a grid usually varies.
    expect(store.getRun(store.createRun(resolveRunConfig({ method: 'static', sparsity: 0.8 })))!.name).toBe('Static ERK 80% · mlp · seed 0');
    const methods = store.createExperiment(sweep, expandExperiment(sweep)).runIds.map((id) => store.getRun(id)!.name);
    expect(methods).toContain('RigL ERK 80% · mlp · seed 0');
  });
});

describe('queue', () => {
  it('claims in queue order and puts a re-queued run at the end', () => {
    store.createExperiment(sweep, expandExperiment(sweep)); // 1, 2, 3
    expect(store.claimNextQueuedRun()?.id).toBe(1);
    store.updateRunStatus(1, 'failed', { error: 'out of memory' });
    store.updateRunStatus(1, 'queued');
    expect(store.listRuns({ status: 'queued', orderBy: 'queue' }).map((r) => [r.id, r.queuePosition])).toEqual([
      [2, 1],
      [3, 2],
      [1, 3],
    ]);
    expect(store.claimNextQueuedRun()?.id).toBe(2);
    expect(store.claimNextQueuedRun()?.id).toBe(3);
    expect(store.claimNextQueuedRun()?.id).toBe(1);
    expect(store.claimNextQueuedRun()).toBeUndefined();
  });

  it('claims one particular queued run only while it is still queued', () => {
    store.createExperiment(sweep, expandExperiment(sweep)); // 1, 2, 3
    expect(store.claimQueuedRun(2)?.status).toBe('running');
    expect(store.claimQueuedRun(2)).toBeUndefined();
    expect(store.claimNextQueuedRun()?.id).toBe(1);
    expect(store.claimQueuedRun(1)).toBeUndefined();
  });

  it('leaves runs held by a live process (a CLI\'s grid) to it, and takes them once it is gone', () => {
    store.createExperiment(sweep, expandExperiment(sweep), { held: true }); // 1, 2, 3, held by this process
    const app = store.createRun(resolveRunConfig({ seed: 9 })); // 4, queued from the app
    expect(store.getRun(1)?.ownerPid).toBe(process.pid);
    expect(store.getRun(app)?.ownerPid).toBeNull();
    // Another process's queue: this process is alive, so it takes only the app's run.
    expect(store.claimNextQueuedRun()?.id).toBe(app);
    expect(store.claimNextQueuedRun()).toBeUndefined();
    // The holder itself takes its runs one by one.
    expect(store.claimQueuedRun(2)?.ownerPid).toBe(process.pid);
    // Re-queued from the app (after a failure), a run is anyone's.
    store.updateRunStatus(2, 'failed', { error: 'x' });
    store.updateRunStatus(2, 'queued');
    expect(store.claimNextQueuedRun()?.id).toBe(2);
    // A holder that has gone left orphans: the queue takes them in order.
    const dead = () => false;
    expect(store.claimNextQueuedRun(dead)?.id).toBe(1);
    expect(store.claimNextQueuedRun(dead)?.id).toBe(3);
  });

  it('lets a CLI hold a queued run that no live process holds, and not take a deleted one', () => {
    const free = store.createRun(resolveRunConfig({}));
    expect(store.holdQueuedRun(free)).toBe(true);
    expect(store.getRun(free)?.ownerPid).toBe(process.pid);
    expect(store.claimNextQueuedRun()).toBeUndefined();
    // Held by another process: taken only once it has gone.
    const other = store.createRun(resolveRunConfig({ seed: 1 }));
    const db = new Database(file);
    db.prepare('UPDATE runs SET owner_pid = 1 WHERE id = ?').run(other);
    db.close();
    expect(store.holdQueuedRun(other, () => true)).toBe(false);
    expect(store.holdQueuedRun(other, () => false)).toBe(true);
    store.deleteRun(free);
    expect(store.claimQueuedRun(free)).toBeUndefined();
  });

  it('holds a run a CLI re-queues to resume it', () => {
    const id = store.createRun(resolveRunConfig({}));
    store.claimQueuedRun(id);
    store.updateRunStatus(id, 'interrupted');
    expect(store.updateRunStatus(id, 'queued', { held: true }).ownerPid).toBe(process.pid);
    expect(store.claimNextQueuedRun()).toBeUndefined();
    expect(store.claimQueuedRun(id)?.status).toBe('running');
  });

  it('moves a queued run to a position', () => {
    for (let i = 0; i < 4; i++) store.createRun(resolveRunConfig({ seed: i })); // 1..4
    expect(store.moveQueuedRun(4, 0)).toEqual([4, 1, 2, 3]);
    expect(store.moveQueuedRun(1, 99)).toEqual([4, 2, 3, 1]);
    expect(store.moveQueuedRun(3, 1)).toEqual([4, 3, 2, 1]);
    expect(store.listRuns({ orderBy: 'queue' }).map((r) => [r.id, r.queuePosition])).toEqual([
      [4, 0],
      [3, 1],
      [2, 2],
      [1, 3],
    ]);
    expect(store.claimNextQueuedRun()?.id).toBe(4);
    expect(() => store.moveQueuedRun(4, 0)).toThrow(/run 4 is running, not queued/);
    expect(() => store.moveQueuedRun(9, 0)).toThrow(/run 9 does not exist/);
  });
});

describe('recordAccuracySoFar', () => {
  it("gives a running run its last epoch's accuracy and its best so far, and nothing else", () => {
    const id = store.createRun(resolveRunConfig({ model: 'mlp' }));
    const queued = store.createRun(resolveRunConfig({ model: 'mlp', seed: 1 }));
    store.claimNextQueuedRun();
    const recorder = store.openRecorder(id);
    recorder.metrics(421, 1, { test_accuracy: 0.84, test_loss: 0.45, val_accuracy: 0.85, train_flops: 1e9 });
    recorder.flush();
    store.recordAccuracySoFar(id);
    expect(store.getRun(id)).toMatchObject({ status: 'running', testAccuracy: 0.84, bestTestAccuracy: 0.84, valAccuracy: 0.85, testLoss: 0.45, trainFlops: null, parameters: null });
    recorder.metrics(842, 2, { test_accuracy: 0.83, test_loss: 0.47, val_accuracy: 0.86 });
    recorder.flush();
    store.recordAccuracySoFar(id);
    expect(store.getRun(id)).toMatchObject({ testAccuracy: 0.83, bestTestAccuracy: 0.84, valAccuracy: 0.86, testLoss: 0.47 });
    // A run that is not training keeps the results its status gave it.
    const other = store.openRecorder(queued);
    other.metrics(421, 1, { test_accuracy: 0.7 });
    other.close();
    store.recordAccuracySoFar(queued);
    expect(store.getRun(queued)).toMatchObject({ status: 'queued', testAccuracy: null, bestTestAccuracy: null });
    recorder.close();
  });
});

describe('markStaleRunningAsInterrupted', () => {
  it('interrupts running runs whose process is gone and leaves live ones', () => {
    for (let i = 0; i < 3; i++) store.createRun(resolveRunConfig({ seed: i }));
    store.claimNextQueuedRun(); // 1, owned by this live process
    store.claimNextQueuedRun(); // 2
    expect(store.markStaleRunningAsInterrupted()).toEqual([]);
    // The caller's own runs are left to it (a worker's exit gives their reason).
    expect(store.markStaleRunningAsInterrupted(new Set([1]), (pid) => pid !== process.pid)).toEqual([2]);
    expect(store.getRun(1)?.status).toBe('running');
    expect(store.markStaleRunningAsInterrupted(new Set(), (pid) => pid !== process.pid)).toEqual([1]);
    expect(store.getRun(2)).toMatchObject({
      status: 'interrupted',
      ownerPid: null,
      error: `the process running it (pid ${process.pid}) stopped before the run ended; this session wrote no metrics or checkpoint, so its time is not counted`,
    });
    expect(store.getRun(3)?.status).toBe('queued');
    expect(store.markStaleRunningAsInterrupted(new Set(), () => false)).toEqual([]);
  });

  it('keeps what a run killed without a word had recorded: its last epoch, its FLOPs, its network', () => {
    const id = store.createRun(resolveRunConfig({ model: 'mlp', method: 'rigl', sparsity: 0.9, distribution: 'uniform' }));
    store.claimNextQueuedRun();
    const recorder = store.openRecorder(id);
    // LeNet-300-100 at uniform 90%: 23,520 + 3,000 + 100 of 266,200 weights; 2 FLOPs a multiply-add.
    const layers = [
      { layer: 'fc1', density: 0.1, active: 23520, params: 235200, flops: 47040 },
      { layer: 'fc2', density: 0.1, active: 3000, params: 30000, flops: 6000 },
      { layer: 'fc3', density: 0.1, active: 100, params: 1000, flops: 200 },
    ];
    recorder.layerStats(0, 0, layers);
    recorder.metrics(421, 1, { test_accuracy: 0.84, test_loss: 0.45, val_accuracy: 0.85, train_flops: 1e9 });
    recorder.metrics(842, 2, { test_accuracy: 0.83, test_loss: 0.47, val_accuracy: 0.86, train_flops: 2e9 });
    recorder.metrics(900, 900 / 421, { train_flops: 2.1e9 });
    recorder.flush();
    expect(store.markStaleRunningAsInterrupted(new Set(), () => false)).toEqual([id]);
    const run = store.getRun(id)!;
    expect(run).toMatchObject({ status: 'interrupted', testAccuracy: 0.83, bestTestAccuracy: 0.84, valAccuracy: 0.86, testLoss: 0.47, trainFlops: 2.1e9 });
    expect(run.inferenceFlops).toBe(53240);
    expect(run.inferenceFlopsRatio).toBeCloseTo(53240 / 532400, 12);
    expect(run.finalSparsity).toBeCloseTo(0.9, 12);
    expect(run.parameters).toBe(266610);
  });
});
