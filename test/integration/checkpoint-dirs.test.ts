import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { executeRun } from '../../src-main/runner/execute-run.js';
import { openStore } from '../../src-main/store/index.js';

/** 400 examples in batches of 50: 8 steps an epoch, a checkpoint after each. */
const tiny = { dataset: 'fashion-mnist', model: 'mlp', method: 'rigl', sparsity: 0.9, epochs: 2, trainSubset: 400, testSubset: 100, batchSize: 50, validationFraction: 0, logEvery: 1, checkpointEvery: 1 } as const;

describe('checkpoints of two databases in one folder', () => {
  it('go to folders of their own, so that run 1 of one database never reads or prunes the files of run 1 of the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-checkpoint-dirs-'));
    const dataDir = join(dir, 'data');
    const written = new Map<string, string[]>();
    for (const [name, seed] of [['a.sqlite', 0], ['b.sqlite', 1]] as const) {
      const store = openStore(join(dir, name));
      try {
        const runId = store.createRun(resolveRunConfig({ ...tiny, seed }));
        expect(runId).toBe(1);
        // Stopped after its first checkpoint (step 8), so that the file stays for a resume.
        const stop = new AbortController();
        const run = await executeRun({ store, runId, dataDir, signal: stop.signal, events: { progress: (p) => p.step === 10 && stop.abort() } });
        expect(run.status, run.error ?? '').toBe('cancelled');
        written.set(name, store.listCheckpoints(runId).map((c) => c.path));
      } finally {
        store.close();
      }
    }
    const [a, b] = [written.get('a.sqlite')!, written.get('b.sqlite')!];
    expect(a).toEqual([join(dir, 'checkpoints', 'a.sqlite', 'run-1', 'step-000000008.ckpt')]);
    expect(b).toEqual([join(dir, 'checkpoints', 'b.sqlite', 'run-1', 'step-000000008.ckpt')]);
    // The second database's run left the first one's checkpoint in place, and it holds other weights.
    expect(existsSync(a[0]!)).toBe(true);
    expect(readFileSync(a[0]!).equals(readFileSync(b[0]!))).toBe(false);
  }, 120_000);
});
