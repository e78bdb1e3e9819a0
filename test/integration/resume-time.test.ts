import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { executeRun } from '../../src-main/runner/execute-run.js';
import { openStore } from '../../src-main/store/index.js';
import { METRIC } from '../../src-shared/api/metrics.js';

/** 400 examples in batches of 50: 8 steps an epoch, a checkpoint after each. */
const tiny = { dataset: 'fashion-mnist', model: 'mlp', method: 'rigl', sparsity: 0.9, epochs: 3, trainSubset: 400, testSubset: 100, batchSize: 50, validationFraction: 0, logEvery: 1, checkpointEvery: 1 } as const;

describe("a resumed run's time", () => {
  it('leaves out what the resume redid (the cancelled session counts up to its checkpoint), and keeps the accuracy of its kept epochs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-resume-time-'));
    const file = join(dir, 'db.sqlite');
    const store = openStore(file);
    const dataDir = join(dir, 'data');
    const runId = store.createRun(resolveRunConfig(tiny));
    // Cancelled in epoch 2, four steps after the epoch-1 checkpoint.
    const stop = new AbortController();
    const first = await executeRun({ store, runId, dataDir, signal: stop.signal, events: { progress: (p) => p.step === 12 && stop.abort() } });
    expect(first.status).toBe('cancelled');
    const checkpointAt = store.listCheckpoints(runId).find((c) => c.step === 8)!.createdAt;
    store.updateRunStatus(runId, 'queued');
    const kept = store.getMetrics(runId, { names: [METRIC.testAccuracy] })[0]!.points.filter((p) => p.step <= 8);
    let resumedWith: number | null | undefined;
    const second = await executeRun({ store, runId, dataDir, events: { progress: () => void (resumedWith ??= store.getRun(runId)!.testAccuracy) } });
    expect(second.status).toBe('completed');
    // From its first step the resumed run reads the test accuracy of the epoch its checkpoint ends.
    expect(kept.length).toBeGreaterThan(0);
    expect(resumedWith).toBe(kept.at(-1)!.value);
    store.close();

    const db = new Database(file, { readonly: true });
    const sessions = db
      .prepare<[number], { startedAt: string; finishedAt: string; keptUntil: string | null }>(
        'SELECT started_at AS startedAt, finished_at AS finishedAt, kept_until AS keptUntil FROM run_sessions WHERE run_id = ? ORDER BY id',
      )
      .all(runId);
    const durationS = db.prepare<[number], number>('SELECT duration_s FROM runs WHERE id = ?').pluck().get(runId)!;
    db.close();
    expect(sessions).toHaveLength(2);
    const [cancelled, resumed] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    expect(cancelled.keptUntil).toBe(checkpointAt);
    expect(Date.parse(cancelled.finishedAt)).toBeGreaterThan(Date.parse(checkpointAt));
    expect(resumed.keptUntil).toBeNull();
    const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
    expect(durationS).toBeCloseTo(seconds(cancelled.startedAt, checkpointAt) + seconds(resumed.startedAt, resumed.finishedAt), 6);
  }, 120_000);
});
