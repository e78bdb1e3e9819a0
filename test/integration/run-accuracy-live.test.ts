import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/api/records.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { executeRun } from '../../src-main/runner/execute-run.js';
import { openStore } from '../../src-main/store/index.js';

/** 400 examples in batches of 50: 8 steps an epoch. */
const tiny = { dataset: 'fashion-mnist', model: 'mlp', method: 'rigl', sparsity: 0.9, epochs: 3, trainSubset: 400, testSubset: 100, batchSize: 50, validationFraction: 0.25, logEvery: 4, checkpointEvery: 0 } as const;

describe("a training run's record", () => {
  it("holds each epoch's test and validation accuracy as soon as the epoch is evaluated, and its backend from the start", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-live-accuracy-'));
    const store = openStore(join(dir, 'db.sqlite'));
    const runId = store.createRun(resolveRunConfig(tiny));
    const seen: Array<{ epoch: number; testAccuracy: number | null; record: RunRecord }> = [];
    let backendAtFirstStep: string | null | undefined;
    const done = await executeRun({
      store,
      runId,
      dataDir: join(dir, 'data'),
      events: {
        progress: () => (backendAtFirstStep ??= store.getRun(runId)!.backend),
        epoch: (epoch, testAccuracy) => seen.push({ epoch, testAccuracy, record: store.getRun(runId)! }),
      },
    });
    expect(done.status).toBe('completed');
    expect(backendAtFirstStep).toBe('wasm');
    expect(seen.map((s) => s.epoch)).toEqual([1, 2, 3]);
    let best = 0;
    for (const { testAccuracy, record } of seen.slice(0, 2)) {
      best = Math.max(best, testAccuracy!);
      expect(record).toMatchObject({ status: 'running', testAccuracy, bestTestAccuracy: best, trainFlops: null, finalSparsity: null });
      expect(record.valAccuracy).toBeGreaterThan(0);
    }
    const final = store.getRun(runId)!;
    expect(final).toMatchObject({ status: 'completed', testAccuracy: seen[2]!.testAccuracy, bestTestAccuracy: Math.max(best, seen[2]!.testAccuracy!) });
    store.close();
  }, 120_000);
});
