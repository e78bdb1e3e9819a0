import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_EVENTS, type ApiEvent, type ApiEventPayload, type QueueState } from '../../src-shared/api/contract.js';
import { METRIC } from '../../src-shared/api/metrics.js';
import { createBackend, type Backend } from '../../src-main/api/backend.js';
import { forkLauncher } from '../../src-main/runner/launcher.js';
import { BIN, WORKER } from '../helpers/cli.js';

// 54,000 training examples (10% go to validation) in batches of 32: 1,687 steps an epoch, about 4 s
// each, several of the app's 1 s polls (an epoch of 2 s could end before a loaded machine's first).
const TRAIN = ['run', '--model', 'mlp', '--method', 'dense', '--train-subset', '60000', '--test-subset', '500', '--batch-size', '32', '--log-every', '10'];

let backend: Backend | null = null;
let child: ChildProcess | null = null;

afterEach(async () => {
  child?.kill('SIGKILL');
  child = null;
  await backend?.close('because the test ended');
  backend = null;
});

type Event = { [E in ApiEvent]: { event: E; payload: ApiEventPayload<E> } }[ApiEvent];

/** The app (web mode's api) open on a database, and a `rigl-lab run` in another process training on it. */
function appAndCli(epochs: number): {
  backend: Backend;
  cli: ChildProcess;
  events: Event[];
  exited: Promise<number | null>;
  /** Whether the CLI has exited. */
  done: () => boolean;
  stderr: () => string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-elsewhere-'));
  const dbPath = join(dir, 'db.sqlite');
  const dataDir = join(dir, 'data');
  backend = createBackend({ dbPath, dataDir, mode: 'web', launch: forkLauncher(WORKER) });
  const events: Event[] = [];
  // Parsed as the renderer parses them: what the api sends must pass the contract.
  backend.subscribe((event, payload) => events.push({ event, payload: API_EVENTS[event].parse(payload) } as Event));
  child = spawn(process.execPath, [BIN, ...TRAIN, '--epochs', String(epochs), '--db', dbPath, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child!.on('close', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { backend, cli: child, events, exited, done: () => done, stderr: () => stderr };
}

async function until(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const of = <E extends ApiEvent>(events: Event[], event: E): Array<ApiEventPayload<E>> =>
  events.filter((e) => e.event === event).map((e) => e.payload as ApiEventPayload<E>);

describe('runs another process trains on the same database', () => {
  it('stream their progress, epochs and completion to the app as its own runs do', async () => {
    const { backend, cli, events, exited, done, stderr } = appAndCli(2);
    const progressOfRun = () => of(events, 'run.progress').filter((p) => p.runId === 1);
    const midway = () => progressOfRun().some((p) => p.step > 0 && p.step < p.totalSteps);
    await until(() => midway() || done(), 'progress of the CLI run mid-training, or its end');
    expect(midway(), `no progress while the CLI trained; its output: ${stderr()}`).toBe(true);

    // Counted as running, apart from this queue's runs, with the progress it recorded.
    const state = (await backend.handle('queue.state', {})) as QueueState;
    expect(state.active).toEqual([]);
    expect(state.elsewhere).toEqual([{ runId: 1, ownerPid: cli.pid, progress: expect.objectContaining({ runId: 1, totalSteps: 3374 }) }]);
    expect(of(events, 'run.status')).toContainEqual({ runId: 1, status: 'running', error: null });
    expect(of(events, 'queue.changed').at(-1)?.elsewhere.map((r) => r.runId)).toEqual([1]);
    // The app's own queue leaves the run to its process.
    await expect(backend.handle('queue.cancel', { runId: 1 })).rejects.toThrow(`run 1 is trained by another process (pid ${cli.pid}) on this database, not by this queue`);

    expect(await exited, stderr()).toBe(0);
    await until(() => of(events, 'run.status').some((s) => s.runId === 1 && s.status === 'completed'), 'the completion of the CLI run');
    expect(of(events, 'runs.changed').some((c) => c.runIds.includes(1))).toBe(true);
    expect(of(events, 'queue.changed').at(-1)?.elsewhere).toEqual([]);
    expect(((await backend.handle('queue.state', {})) as QueueState).elsewhere).toEqual([]);

    // Every logged step after the first one seen, in order, each as the CLI recorded it.
    const progress = progressOfRun();
    const steps = progress.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps.slice(1).every((s, i) => s - steps[i]! === 10 || s === 3374)).toBe(true);
    const [loss] = backend.store.getMetrics(1, { names: [METRIC.trainLoss] });
    const recorded = new Map(loss!.points.map((p) => [p.step, p.value]));
    for (const p of progress) {
      expect(p.loss).toBe(recorded.get(p.step));
      expect(p.epoch).toBeCloseTo(p.step / 1687, 9);
      expect(p.totalSteps).toBe(3374);
      expect(p.examplesPerSecond).toBeGreaterThan(0);
      expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
      expect(p.elapsedSeconds).toBeGreaterThan(0);
    }
    // The first epoch ended while the app watched: its test accuracy, as the store holds it.
    const [test] = backend.store.getMetrics(1, { names: [METRIC.testAccuracy] });
    expect(of(events, 'run.epoch')).toContainEqual({ runId: 1, epoch: 1, testAccuracy: test!.points[0]!.value });
  });

  it('a run whose process is killed outright becomes interrupted in the app, without a restart', async () => {
    const { backend, cli, events, exited, done, stderr } = appAndCli(20);
    const trains = () => of(events, 'run.progress').some((p) => p.runId === 1 && p.step > 0);
    await until(() => trains() || done(), 'progress of the CLI run, or its end');
    expect(trains(), `no progress while the CLI trained; its output: ${stderr()}`).toBe(true);
    cli.kill('SIGKILL');
    await exited;
    await until(() => of(events, 'run.status').some((s) => s.runId === 1 && s.status === 'interrupted'), 'the run to be marked interrupted');
    expect(backend.store.getRun(1)).toMatchObject({ status: 'interrupted', error: expect.stringContaining(`the process running it (pid ${cli.pid}) stopped before the run ended`) });
    expect(((await backend.handle('queue.state', {})) as QueueState).elsewhere).toEqual([]);
  });
});
