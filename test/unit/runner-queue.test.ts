import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueState } from '../../src-shared/api/contract.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import type { WorkerHandle } from '../../src-main/runner/launcher.js';
import { RunQueue } from '../../src-main/runner/queue.js';
import { openStore, type Store } from '../../src-main/store/index.js';

let dir: string;
let store: Store;
let queue: RunQueue | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigl-queue-'));
  store = openStore(join(dir, 'db.sqlite'));
});

afterEach(async () => {
  // Fake workers do not answer an interrupt: none to wait for.
  await queue?.close('because the test ended', 0);
  queue = null;
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A worker that takes its start message and trains nothing. */
function idleWorker(): WorkerHandle {
  return { pid: undefined, post: () => undefined, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 60));

describe('the run queue', () => {
  it('keeps going when the store fails in its own work, showing why until it succeeds', async () => {
    const states: QueueState[] = [];
    const launched: number[] = [];
    queue = new RunQueue({
      store,
      dbPath: join(dir, 'db.sqlite'),
      dataDir: dir,
      concurrency: 1,
      pollMs: 20,
      launch: () => {
        launched.push(launched.length);
        return idleWorker();
      },
      emit: (event, payload) => {
        if (event === 'queue.changed') states.push(payload as QueueState);
      },
    });
    queue.start();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // What a newer version's migration did to an older server's queue (a column it reads gone).
    const claim = vi.spyOn(store, 'claimNextQueuedRun').mockImplementation(() => {
      throw new Error('no such column: train_flops_ratio');
    });
    const id = store.createRun(resolveRunConfig({ epochs: 1 }));
    await tick();
    expect(queue.state().problem).toBe('no such column: train_flops_ratio');
    expect(states.at(-1)?.problem).toBe('no such column: train_flops_ratio');
    // Said once, not at every poll.
    expect(errors).toHaveBeenCalledTimes(1);
    expect(launched).toEqual([]);

    claim.mockRestore();
    errors.mockRestore();
    await tick();
    expect(launched).toHaveLength(1);
    expect(queue.state()).toMatchObject({ problem: null, active: [{ runId: id }] });
    expect(states.at(-1)?.problem).toBeNull();
  });
});
