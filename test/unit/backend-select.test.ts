import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { listBackends, selectBackend } from '../../src-main/engine/backend/select-backend.js';
import type { OptionalModules } from '../../src-main/engine/backend/optional-modules.js';
import { CPU_PKG, FakeNativeBackend, fakeModules, GPU_PKG } from '../helpers/fake-native.js';

beforeEach(() => {
  delete process.env['TF_FORCE_GPU_ALLOW_GROWTH'];
});

afterEach(async () => {
  await tf.setBackend('cpu');
  if (tf.engine().registryFactory['tensorflow'] !== undefined) tf.removeBackend('tensorflow');
});

describe('selectBackend with tfjs-node-gpu installed', () => {
  it('reports the GPU when TensorFlow sees one, with allow-growth set before loading', async () => {
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true } });
    const selection = await selectBackend('auto', modules);
    expect(selection).toEqual({
      name: 'node-gpu',
      tfBackend: 'tensorflow',
      reason: 'tfjs-node-gpu: TensorFlow sees a GPU',
      device: 'GPU (CUDA, TensorFlow 2.9.1)',
      versions: { 'tfjs-core': '4.22.0', 'tfjs-node-gpu': '4.22.0', tensorflow: '2.9.1' },
      threads: expect.any(Number),
    });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(modules.allowGrowthAtLoad).toEqual(['true']);
  });

  it('keeps a memory-growth setting the user chose', async () => {
    process.env['TF_FORCE_GPU_ALLOW_GROWTH'] = 'false';
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true } });
    await selectBackend('node-gpu', modules);
    expect(modules.allowGrowthAtLoad).toEqual(['false']);
  });

  it('says it runs on the CPU, and why, when TensorFlow sees no GPU', async () => {
    const selection = await selectBackend('node-gpu', fakeModules({ [GPU_PKG]: { gpuVisible: false } }));
    expect(selection.name).toBe('node-gpu');
    expect(selection.device).toBe('CPU (TensorFlow 2.9.1; no GPU visible)');
    expect(selection.reason).toBe(
      'tfjs-node-gpu loaded but TensorFlow sees no GPU, so it runs on the CPU ' +
        '(tfjs-node-gpu 4.x needs an NVIDIA driver ≥ 450 and CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0, libcudnn.so.8) where the loader finds them; ' +
        'without them TensorFlow runs on the CPU)',
    );
  });

  it('skips a GPU package whose native library fails to load, quoting the first line of the error', async () => {
    const broken = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at Module._extensions');
    const selection = await selectBackend('auto', fakeModules({ [GPU_PKG]: broken, [CPU_PKG]: { gpuVisible: false } }));
    expect(selection.name).toBe('node');
    expect(selection.reason).toBe(
      'tfjs-node-gpu: failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory; ' +
        'tfjs-node: TensorFlow on the CPU',
    );
    expect(selection.device).toBe('CPU (TensorFlow 2.9.1)');
  });

  it('treats a missing native binding as broken, not as not installed', async () => {
    const bindingMissing = Object.assign(
      new Error(`Cannot find module '/app/node_modules/${CPU_PKG}/lib/napi-v8/tfjs_binding.node'`),
      { code: 'MODULE_NOT_FOUND' },
    );
    await expect(selectBackend('node', fakeModules({ [CPU_PKG]: bindingMissing }))).rejects.toThrow(
      `Backend 'node' is not available: tfjs-node: failed to load: Cannot find module '/app/node_modules/${CPU_PKG}/lib/napi-v8/tfjs_binding.node'.`,
    );
  });
});

describe('forced native choices that cannot be used', () => {
  it('names the reason and what to install', async () => {
    const attempt = selectBackend('node-gpu', fakeModules({}));
    await expect(attempt).rejects.toThrow(
      "Backend 'node-gpu' is not available: tfjs-node-gpu: not installed (optional dependency missing). " +
        'Install or rebuild it with `npm install @tensorflow/tfjs-node-gpu` (Linux with CUDA 11.2 and cuDNN 8.1)',
    );
    await expect(attempt).rejects.toThrow('TFJS_NODE_CDN_STORAGE');
  });

  it('refuses tfjs-node once tfjs-node-gpu owns the native backend', async () => {
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true }, [CPU_PKG]: { gpuVisible: false } });
    await selectBackend('node-gpu', modules);
    await expect(selectBackend('node', modules)).rejects.toThrow(
      "Backend 'node' is not available: tfjs-node: this process already loaded @tensorflow/tfjs-node-gpu; restart it to switch.",
    );
  });

  it('rejects a package that does not look like tfjs-node', async () => {
    const modules: OptionalModules = {
      isInstalled: () => true,
      async load() {
        tf.registerBackend('tensorflow', () => new FakeNativeBackend(false, false), 3);
        return { default: {} };
      },
    };
    await expect(selectBackend('node', modules)).rejects.toThrow("@tensorflow/tfjs-node does not export its version as version['tfjs-node']");
  });
});

describe('listBackends', () => {
  it('looks native packages up without loading them', async () => {
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true } });
    const rows = await listBackends(modules);
    expect(modules.loaded).toEqual([]);
    expect(rows).toEqual([
      { name: 'node-gpu', available: true, reason: 'installed; whether libtensorflow loads and sees a GPU is checked when a run selects it' },
      { name: 'node', available: false, reason: 'not installed (optional dependency missing)' },
      { name: 'wasm', available: true, reason: expect.stringMatching(/^initiali/) },
      { name: 'cpu', available: true, reason: 'always available (pure JavaScript, slowest)' },
    ]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reports the native package this process has loaded', async () => {
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true } });
    await selectBackend('node-gpu', modules);
    const rows = await listBackends(modules);
    expect(rows[0]).toEqual({ name: 'node-gpu', available: true, reason: 'loaded in this process' });
  });
});
