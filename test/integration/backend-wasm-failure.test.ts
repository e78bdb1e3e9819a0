import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { listBackends, selectBackend } from '../../src-main/engine/backend/select-backend.js';

// A wasm binary that cannot be found, as in a badly packaged app. Must run before anything
// initialises wasm in this process (vitest gives each test file its own).
setWasmPaths('/nonexistent/');
const CAUSE = "failed to initialise: Aborted(Error: ENOENT: no such file or directory, open '/nonexistent/tfjs-backend-wasm-simd.wasm')";

describe('when wasm cannot initialise', () => {
  it('auto falls back to cpu, quoting the cause', async () => {
    const selection = await selectBackend('auto');
    expect(selection.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selection.reason).toContain(`; wasm: ${CAUSE}`);
    expect(selection.reason).toMatch(/; cpu: pure JavaScript/);
  });

  it('a forced wasm throws with the cause and the fix', async () => {
    await expect(selectBackend('wasm')).rejects.toThrow(`Backend 'wasm' is not available: wasm: ${CAUSE}`);
    await expect(selectBackend('wasm')).rejects.toThrow('its .wasm binaries must sit beside its dist/ bundle');
  });

  it('the list says so', async () => {
    const rows = await listBackends();
    expect(rows[2]).toEqual({ name: 'wasm', available: false, reason: expect.stringContaining(CAUSE) });
  });
});
