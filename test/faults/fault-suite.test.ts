import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src-shared/random.js';
import { createBackend } from '../../src-main/api/backend.js';
import { forkLauncher, type WorkerHandle } from '../../src-main/runner/launcher.js';
import { openStore } from '../../src-main/store/index.js';
import { WORKER } from '../helpers/cli.js';
import {
  completedRowCounts,
  expectSameRun,
  integrity,
  printSummary,
  runStatus,
  runIdByName,
  sleep,
  spawnCli,
  summary,
  writeExperiment,
  FAULT_RUN,
} from './harness.js';
import { badInputCases } from './bad-inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-faults-'));
const dataDir = join(dir, 'data');
const referenceDb = join(dir, 'reference.sqlite');
const db = join(dir, 'faults.sqlite');
let referenceId = 0;
let referenceMs = 0;

/** Seeded: the same kill moments on every machine and every run of the suite. */
const KILL_SEED = 20261125;
const CLI_KILLS = 16;
const WORKER_KILLS = 5;
const SERVE_KILLS = 2;

beforeAll(async () => {
  const started = Date.now();
  const reference = spawnCli(['run', '--config', writeExperiment(dir, 'reference'), '--db', referenceDb, '--data-dir', dataDir, '--json']);
  const result = await reference.done;
  referenceMs = Date.now() - started;
  expect(result.code, result.stderr).toBe(0);
  referenceId = (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
}, 120_000);

afterAll(() => printSummary());

/** A small filesystem for the disk-full case; mounting needs root (CI runs as root). */
function mountTmpfs(path: string, size: string): { path: string; error: string | null; resize(size: string): void; unmount(): void } {
  mkdirSync(path, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { encoding: 'utf8' });
  const error = mount.status === 0 ? null : `cannot mount a small tmpfs here: ${(mount.stderr || mount.error?.message || '').trim()}`;
  if (error) summary.notes.push(`disk-full case not run: ${error}`);
  return {
    path,
    error,
    resize: (next) => void spawnSync('mount', ['-o', `remount,size=${next}`, path]),
    unmount: () => void spawnSync('umount', [path]),
  };
}

/** After a kill: the database is sound, no completed run lost a row. Returns rows lost. */
function checkAfterKill(before: Record<number, number>): void {
  expect(integrity(db)).toEqual([]);
  const after = completedRowCounts(db);
  for (const [id, rows] of Object.entries(before)) {
    const lost = rows - (after[Number(id)] ?? 0);
    summary.rowsLost += Math.max(0, lost);
    expect(after[Number(id)], `completed run ${id}`).toBe(rows);
  }
}

async function resumeUntilDone(runId: number, rng: Random): Promise<void> {
  // Half of the resumes are killed once more before the last one finishes.
  let killAgain = rng.next() < 0.5;
  // A kill can land after the run's last step: then there is nothing left to resume.
  while (runStatus(db, runId) !== 'completed') {
    const resume = spawnCli(['resume', String(runId), '--db', db, '--data-dir', dataDir]);
    if (killAgain) {
      killAgain = false;
      await sleep(rng.next() * referenceMs);
      resume.child.kill('SIGKILL');
      await resume.done;
      const before = completedRowCounts(db);
      checkAfterKill(before);
      continue;
    }
    const result = await resume.done;
    expect(result.code, result.stderr).toBe(0);
  }
}

function recordResume(runId: number): void {
  summary.resumes++;
  expectSameRun(db, runId, referenceDb, referenceId);
  summary.resumesIdentical++;
}

describe('fault suite', () => {
  it(`survives ${CLI_KILLS} SIGKILLs of a training CLI at seeded moments, resuming to identical results`, async () => {
    const rng = new Random(KILL_SEED);
    for (let k = 0; k < CLI_KILLS; k++) {
      summary.killPoints++;
      const name = `cli-kill-${k}`;
      const before = completedRowCounts(db);
      const run = spawnCli(['run', '--config', writeExperiment(dir, name), '--name', name, '--db', db, '--data-dir', dataDir]);
      // Anywhere from start-up to just past the end of training.
      await sleep(rng.next() * 1.1 * referenceMs);
      run.child.kill('SIGKILL');
      await run.done;
      checkAfterKill(before);
      const runId = runIdByName(db, name);
      if (runId === undefined) {
        // Killed before the run was written: nothing to resume, and nothing half-written either.
        summary.killsSurvived++;
        continue;
      }
      await resumeUntilDone(runId, rng);
      summary.killsSurvived++;
      recordResume(runId);
    }
  }, 600_000);

  it(`survives ${WORKER_KILLS} SIGKILLs of the queue's training worker`, async () => {
    const rng = new Random(KILL_SEED + 1);
    const handles: WorkerHandle[] = [];
    const launch = forkLauncher(WORKER);
    const backend = createBackend({
      dbPath: db,
      dataDir,
      mode: 'web',
      launch: (options) => {
        const h = launch(options);
        handles.push(h);
        return h;
      },
    });
    let progress = 0;
    backend.subscribe((event) => {
      if (event === 'run.progress') progress++;
    });
    try {
      await backend.handle('queue.pause', {});
      for (let k = 0; k < WORKER_KILLS; k++) {
        summary.killPoints++;
        const before = completedRowCounts(db);
        const { runIds } = (await backend.handle('experiments.create', { spec: { name: `worker-kill-${k}`, base: FAULT_RUN } })) as { runIds: number[] };
        const runId = runIds[0]!;
        progress = 0;
        const killAt = Math.floor(rng.next() * 60);
        await backend.handle('queue.resume', {});
        // The previous run's worker may still be exiting; the queue starts this one when it has.
        while (backend.store.getRun(runId)!.status === 'queued') await sleep(5);
        while (progress < killAt && backend.store.getRun(runId)!.status === 'running') await sleep(5);
        await backend.handle('queue.pause', {});
        handles.at(-1)!.kill();
        while (backend.store.getRun(runId)!.status === 'running') await sleep(20);
        checkAfterKill(before);
        const status = backend.store.getRun(runId)!.status;
        expect(['interrupted', 'completed']).toContain(status);
        summary.killsSurvived++;
        if (status === 'interrupted') {
          await backend.handle('queue.rerun', { runId });
          await backend.handle('queue.resume', {});
          while (backend.store.getRun(runId)!.status !== 'completed') await sleep(50);
          await backend.handle('queue.pause', {});
        }
        recordResume(runId);
      }
    } finally {
      await backend.close('because the test ended');
    }
  }, 600_000);

  it(`survives ${SERVE_KILLS} SIGKILLs of the web-mode server while its worker trains`, async () => {
    const rng = new Random(KILL_SEED + 2);
    const { default: WebSocket } = await import('ws');
    for (let k = 0; k < SERVE_KILLS; k++) {
      summary.killPoints++;
      const before = completedRowCounts(db);
      const serve = spawnCli(['serve', '--port', '0', '--db', db, '--data-dir', dataDir]);
      const url = await new Promise<string>((resolve) => {
        const onData = (d: Buffer) => {
          const match = /RigL Lab: (\S+)/.exec(d.toString());
          if (match) resolve(match[1]!);
        };
        serve.child.stdout!.on('data', onData);
      });
      const { port, searchParams } = new URL(url);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${searchParams.get('token')}`, { headers: { origin: `http://127.0.0.1:${port}` } });
      await new Promise((r) => ws.on('open', r));
      const name = `serve-kill-${k}`;
      const created = await new Promise<{ result: { runIds: number[] } }>((resolve) => {
        ws.on('message', (data) => {
          const message = JSON.parse(data.toString()) as { id?: number };
          if (message.id === 1) resolve(message as never);
        });
        ws.send(JSON.stringify({ id: 1, method: 'experiments.create', params: { spec: { name, base: FAULT_RUN } } }));
      });
      const runId = created.result.runIds[0]!;
      await sleep(300 + rng.next() * referenceMs);
      serve.child.kill('SIGKILL');
      await serve.done;
      ws.terminate();
      // The orphaned worker notices its parent is gone and stops the run as interrupted.
      for (let waited = 0; runStatus(db, runId) === 'running' && waited < 20_000; waited += 100) await sleep(100);
      checkAfterKill(before);
      summary.killsSurvived++;
      await resumeUntilDone(runId, rng);
      recordResume(runId);
    }
  }, 600_000);

  it('lets two training runs write one database while a reader polls it, without "database is locked"', async () => {
    const reader = openStore(db);
    const runs = [0, 1].map((i) => spawnCli(['run', '--config', writeExperiment(dir, `concurrent-${i}`), '--name', `concurrent-${i}`, '--db', db, '--data-dir', dataDir]));
    let reads = 0;
    let finished = false;
    const results = Promise.all(runs.map((r) => r.done)).finally(() => (finished = true));
    try {
      while (!finished) {
        for (const run of reader.listRuns({ limit: 50 })) {
          reader.getMetrics(run.id, { maxPoints: 100 });
          reader.latestLayerStats(run.id);
        }
        reads++;
        await sleep(10);
      }
    } finally {
      reader.close();
    }
    for (const r of await results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/locked|SQLITE_BUSY/i);
    }
    expect(reads).toBeGreaterThan(10);
    for (const i of [0, 1]) expectSameRun(db, runIdByName(db, `concurrent-${i}`)!, referenceDb, referenceId);
  }, 300_000);

  it('stops a run whose loss is not finite as diverged, with the step, and keeps it resumable', async () => {
    const before = completedRowCounts(db);
    const file = writeExperiment(dir, 'diverging', { ...FAULT_RUN, optimizer: { lr: 80 } });
    const r = await spawnCli(['run', '--config', file, '--name', 'diverging', '--db', db, '--data-dir', dataDir, '--json']).done;
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout.trim()) as { runId: number; status: string; error: string };
    expect(line.status).toBe('diverged');
    expect(line.error).toMatch(/loss was not finite at step [\d,]+/);
    checkAfterKill(before);
    const again = await spawnCli(['resume', String(line.runId), '--db', db, '--data-dir', dataDir]).done;
    expect(again.stderr).toContain('diverged');
    expect(runStatus(db, line.runId)).toBe('diverged');
  }, 120_000);

  const tmpfs = mountTmpfs(join(dir, 'small-disk'), '4m');
  it.skipIf(tmpfs.error !== null)(`fails a run cleanly when the disk fills up, and resumes it once there is room${tmpfs.error ? ` (skipped: ${tmpfs.error})` : ''}`, async () => {
    const smallDb = join(tmpfs.path, 'runs.sqlite');
    try {
      const small = writeExperiment(dir, 'no-checkpoints', { ...FAULT_RUN, checkpointEvery: 0, epochs: 2 });
      const first = await spawnCli(['run', '--config', small, '--db', smallDb, '--data-dir', dataDir]).done;
      expect(first.code, first.stderr).toBe(0);
      const before = completedRowCounts(smallDb);
      // Each checkpoint of this run is about 2.4 MB: the second does not fit on a 4 MB disk.
      const full = await spawnCli(['run', '--config', writeExperiment(dir, 'disk-full'), '--name', 'disk-full', '--db', smallDb, '--data-dir', dataDir, '--json']).done;
      expect(full.code).toBe(1);
      const line = JSON.parse(full.stdout.trim()) as { runId: number; status: string; error: string };
      expect(line.status).toBe('failed');
      expect(line.error).toMatch(/cannot write checkpoint .*step-\d+\.ckpt: ENOSPC/);
      expect(full.stderr).not.toMatch(/locked/i);
      expect(integrity(smallDb)).toEqual([]);
      expect(completedRowCounts(smallDb)).toEqual(before);
      tmpfs.resize('64m');
      const resumed = await spawnCli(['resume', String(line.runId), '--db', smallDb, '--data-dir', dataDir]).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expectSameRun(smallDb, line.runId, referenceDb, referenceId);
    } finally {
      tmpfs.unmount();
    }
  }, 300_000);

  it('rejects every bad input with an error naming the field or file, changing nothing stored', async () => {
    const cases = badInputCases(dir, db, dataDir);
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) {
      summary.badInputs++;
      const before = completedRowCounts(db);
      const message = await c.run();
      expect(message, c.name).toMatch(c.expect);
      expect(completedRowCounts(db), c.name).toEqual(before);
      expect(integrity(db)).toEqual([]);
      summary.inputsRejected++;
    }
  }, 600_000);
});
