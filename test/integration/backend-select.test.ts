import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { listBackends, selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { kernelThreadCount } from '../../src-main/engine/kernels/kernel-runtime.js';
import { conv2dBackpropFilterConfig } from '../../src-main/engine/backend/wasm-kernels/conv2d.js';
import { maxPoolGradConfig } from '../../src-main/engine/backend/wasm-kernels/max-pool.js';

// This machine, as platform-notes.md describes it: tfjs-node and tfjs-node-gpu failed to install
// (their optional install rolled back), wasm with SIMD loads, and our kernels use every core.
describe('backend selection on this machine', () => {
  it('auto picks wasm and says why both native packages were skipped', async () => {
    const selection = await selectBackend('auto');
    const threads = kernelThreadCount();
    const plural = threads === 1 ? 'thread' : 'threads';
    expect(selection).toEqual({
      name: 'wasm',
      tfBackend: 'wasm',
      reason:
        'tfjs-node-gpu: not installed (optional dependency missing); tfjs-node: not installed (optional dependency missing); ' +
        `wasm: WebAssembly with SIMD, ${threads} ${plural} for our kernels`,
      device: `CPU (WebAssembly SIMD, ${threads} ${plural})`,
      versions: { 'tfjs-core': '4.22.0', 'tfjs-backend-wasm': '4.22.0' },
      threads,
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('can select wasm again: our kernels stay registered, once', async () => {
    const warn = vi.spyOn(console, 'warn');
    await selectBackend('wasm');
    await selectBackend('cpu');
    await selectBackend('wasm');
    // tfjs warns when a kernel is registered twice.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2dBackpropFilterConfig.kernelFunc);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGradConfig.kernelFunc);
  });

  it('a forced node backend throws, naming the package to install', async () => {
    await expect(selectBackend('node')).rejects.toThrow(
      "Backend 'node' is not available: tfjs-node: not installed (optional dependency missing). " +
        'Install or rebuild it with `npm install @tensorflow/tfjs-node`',
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('cpu can be forced', async () => {
    const selection = await selectBackend('cpu');
    expect(selection).toMatchObject({ name: 'cpu', tfBackend: 'cpu', threads: 1, versions: { 'tfjs-backend-cpu': '4.22.0' } });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('lists what is available without switching', async () => {
    await selectBackend('cpu');
    expect(await listBackends()).toEqual([
      { name: 'node-gpu', available: false, reason: 'not installed (optional dependency missing)' },
      { name: 'node', available: false, reason: 'not installed (optional dependency missing)' },
      { name: 'wasm', available: true, reason: 'initialised' },
      { name: 'cpu', available: true, reason: 'always available (pure JavaScript, slowest)' },
    ]);
    expect(tf.getBackend()).toBe('cpu');
  });
});
