import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBackend, type Backend } from '../../src-main/api/backend.js';
import { forkLauncher } from '../../src-main/runner/launcher.js';
import { WORKER } from '../helpers/cli.js';

// A machine without the native packages, whatever this one has installed.
vi.mock('../../src-main/engine/backend/optional-modules.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  installedModules: { isInstalled: () => false, load: () => Promise.reject(new Error('not installed')) },
}));

const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-settings-api-'));
let backend: Backend;

beforeAll(() => {
  backend = createBackend({ dbPath: join(dir, 'db.sqlite'), dataDir: join(dir, 'data'), mode: 'web', launch: forkLauncher(WORKER) });
});

afterAll(async () => {
  await backend.close('because the test ended');
  rmSync(dir, { recursive: true, force: true });
});

describe('settings.update', () => {
  it('refuses a backend this machine cannot run, naming it and why, and stores nothing', async () => {
    const refused = backend.handle('settings.update', { backend: 'node-gpu', concurrency: 2 });
    await expect(refused).rejects.toMatchObject({
      message: 'Backend node-gpu is not available on this machine: not installed (optional dependency missing)',
      issues: [{ path: 'backend', message: expect.stringContaining('not available') }],
    });
    expect(await backend.handle('settings.get', {})).toEqual({ backend: 'auto', concurrency: 1 });
  });

  it('stores a backend that is available, and auto', async () => {
    expect(await backend.handle('settings.update', { backend: 'cpu' })).toMatchObject({ backend: 'cpu' });
    expect(await backend.handle('settings.update', { backend: 'auto' })).toMatchObject({ backend: 'auto' });
  });
});

describe('experiments.create', () => {
  it('refuses runs that ask for a backend this machine cannot run, queueing nothing', async () => {
    const before = await backend.handle('runs.list', {});
    const refused = backend.handle('experiments.create', { spec: { name: 'x', base: { model: 'mlp', backend: 'node' } } });
    await expect(refused).rejects.toMatchObject({
      message: 'Backend node is not available on this machine: not installed (optional dependency missing)',
      issues: [{ path: 'backend', message: expect.stringContaining('not available') }],
    });
    expect(await backend.handle('runs.list', {})).toEqual(before);
  });
});

