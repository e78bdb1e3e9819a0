import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src-shared/api/contract.js';
import { createBackend, type Backend } from '../../src-main/api/backend.js';
import { defaultKernelThreads } from '../../src-main/engine/kernels/kernel-runtime.js';
import { forkLauncher, type WorkerLauncher } from '../../src-main/runner/launcher.js';
import { WORKER } from '../helpers/cli.js';
import { openStore } from '../../src-main/store/index.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';

const tiny = { dataset: 'fashion-mnist', model: 'mlp', epochs: 1, trainSubset: 400, testSubset: 100, batchSize: 50, logEvery: 1 };
let backend: Backend | null = null;

afterEach(async () => {
  await backend?.close('because the test ended');
  backend = null;
});

function start(launch: WorkerLauncher): { backend: Backend; events: Array<{ event: ApiEvent; payload: unknown }> } {
  const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-queue-'));
  const events: Array<{ event: ApiEvent; payload: unknown }> = [];
  backend = createBackend({ dbPath: join(dir, 'db.sqlite'), dataDir: join(dir, 'data'), mode: 'web', launch });
  backend.subscribe((event, payload) => events.push({ event, payload }));
  return { backend, events };
}

async function until(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('run queue', () => {
  it('trains queued runs one at a time in worker processes, streaming progress', async () => {
    const shares: number[] = [];
    const launch = forkLauncher(WORKER);
    const { backend, events } = start((options) => {
      shares.push(options.threads);
      return launch(options);
    });
    const created = (await backend.handle('experiments.create', {
      spec: { name: 'queue', base: tiny, grid: { method: ['static', 'rigl'], sparsity: [0.9] } },
    })) as { runIds: number[] };
    expect(created.runIds).toHaveLength(2);
    const statuses = () => created.runIds.map((id) => backend.store.getRun(id)!.status);
    await until(() => statuses().every((s) => s === 'completed'), 'both runs to complete');
    const progress = events.filter((e) => e.event === 'run.progress');
    expect(progress.length).toBeGreaterThan(5);
    // One at a time: the second run's first progress comes after the first run finished.
    const finishedFirst = events.findIndex((e) => e.event === 'run.status' && (e.payload as { status: string }).status === 'completed');
    const secondStarts = events.findIndex((e) => e.event === 'run.progress' && (e.payload as { runId: number }).runId === created.runIds[1]);
    expect(secondStarts).toBeGreaterThan(finishedFirst);
    expect(backend.store.getRun(created.runIds[1]!)!.backend).toBe('wasm');
    // Alone in the queue, each run may use every kernel thread.
    expect(shares).toEqual([defaultKernelThreads(), defaultKernelThreads()]);
  });

  it('marks a run failed with the reason when its worker crashes, and goes on with the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-crash-'));
    const crash = join(dir, 'crash.mjs');
    writeFileSync(crash, "process.stderr.write('out of memory (simulated)\\n'); process.exit(3);");
    let launches = 0;
    const real = forkLauncher(WORKER);
    const crashing = forkLauncher(crash);
    const { backend } = start((options) => (launches++ === 0 ? crashing(options) : real(options)));
    const { runIds } = (await backend.handle('experiments.create', {
      spec: { name: 'crash', base: tiny, grid: { method: ['static', 'rigl'] } },
    })) as { runIds: number[] };
    await until(() => backend.store.getRun(runIds[1]!)!.status === 'completed', 'the second run to complete');
    const failed = backend.store.getRun(runIds[0]!)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('exited with code 3');
    expect(failed.error).toContain('out of memory (simulated)');
  });

  it('marks a run whose worker is killed as interrupted, and can queue it again', async () => {
    const handles: Array<{ kill(): void }> = [];
    const launch = forkLauncher(WORKER);
    const { backend, events } = start((options) => {
      const h = launch(options);
      handles.push(h);
      return h;
    });
    const { runIds } = (await backend.handle('experiments.create', {
      spec: { name: 'kill', base: { ...tiny, epochs: 20 }, grid: { method: ['rigl'] } },
    })) as { runIds: number[] };
    await until(() => events.some((e) => e.event === 'run.progress'), 'progress');
    handles[0]!.kill();
    await until(() => backend.store.getRun(runIds[0]!)!.status === 'interrupted', 'the run to be marked interrupted');
    // The message says what a resume does: from the newest checkpoint written before the kill, if any.
    const steps = backend.store.listCheckpoints(runIds[0]!).map((c) => c.step);
    const resume = steps.length > 0 ? `continues it from its checkpoint at step ${Math.max(...steps)}` : 'starts it over: it has no checkpoint yet';
    expect(backend.store.getRun(runIds[0]!)!.error).toBe(`the training process was killed (SIGKILL); Re-run or \`rigl-lab resume\` ${resume}`);
    await backend.handle('queue.pause', {});
    await backend.handle('queue.rerun', { runId: runIds[0] });
    expect(backend.store.getRun(runIds[0]!)!.status).toBe('queued');
    expect(backend.store.checkIntegrity()).toEqual([]);
  });

  it('re-runs a completed run as a copy that keeps its tags and names its original', async () => {
    const { backend } = start(forkLauncher(WORKER));
    await backend.handle('queue.pause', {});
    const original = backend.store.createRun(resolveRunConfig(tiny), { name: 'done' });
    backend.store.updateRunStatus(original, 'running');
    backend.store.finishRun(original, {});
    backend.store.setRunTags(original, ['baseline']);
    backend.store.setRunNotes(original, 'looked fine');
    const { runId: copy } = (await backend.handle('queue.rerun', { runId: original })) as { runId: number };
    expect(copy).not.toBe(original);
    expect(backend.store.getRun(copy)).toMatchObject({ status: 'queued', name: 'done', tags: ['baseline'], notes: `Re-run of #${original}.` });
    expect(backend.store.getRun(original)).toMatchObject({ status: 'completed', notes: 'looked fine' });
  });
  it('closing interrupts a training run after its current step, recorded with what it measured, after a Ctrl-C reached its worker too', async () => {
    const launch = forkLauncher(WORKER);
    const workers: Array<number | undefined> = [];
    const { backend: serving } = start((options) => {
      const worker = launch(options);
      workers.push(worker.pid);
      return worker;
    });
    const { runIds } = (await serving.handle('experiments.create', {
      spec: { name: 'close', base: { ...tiny, epochs: 10, trainSubset: 4000 }, grid: { method: ['static'] } },
    })) as { runIds: number[] };
    const runId = runIds[0]!;
    // Past its first epoch (72 steps), so that it has a test accuracy; far from its 720th step.
    await until(() => serving.store.getRun(runId)!.stepsDone > 100, 'the run to train past its first epoch');
    const file = serving.store.file;
    // A terminal's Ctrl-C reaches the worker as well as `rigl-lab serve`: the worker waits for the queue.
    process.kill(workers[0]!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    backend = null;
    expect(await serving.close('because the test closed the queue')).toEqual([runId]);
    const reopened = openStore(file);
    try {
      const run = reopened.getRun(runId)!;
      expect(run.status).toBe('interrupted');
      expect(run.error).toMatch(/^stopped because the test closed the queue; /);
      // Measured by the worker as it stopped, not lost with a killed process.
      expect(run.trainFlops).toBeGreaterThan(0);
      expect(run.testAccuracy).not.toBeNull();
    } finally {
      reopened.close();
    }
  });
});
