import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { benchBackends, parseBackendList } from '../bench/backends.js';
import { benchCases } from '../bench/cases.js';
import { CPU_PKG, fakeModules, GPU_PKG } from '../helpers/fake-native.js';

afterEach(async () => {
  await tf.setBackend('cpu');
  if (tf.engine().registryFactory['tensorflow'] !== undefined) tf.removeBackend('tensorflow');
});

describe('bench --backend', () => {
  it('takes a comma list of the backends a run can force', () => {
    expect(parseBackendList('node-gpu,wasm')).toEqual(['node-gpu', 'wasm']);
    expect(parseBackendList(' wasm , wasm,cpu')).toEqual(['wasm', 'cpu']);
  });

  it('names the flag and the allowed values for anything else', () => {
    const expected = '; expected a comma list of node-gpu, node, wasm, cpu';
    expect(() => parseBackendList('gpu')).toThrow(`--backend: unknown backend "gpu"${expected}`);
    expect(() => parseBackendList('wasm,auto')).toThrow(`--backend: auto is not timed (it stands for one of the others)${expected}`);
    expect(() => parseBackendList(undefined)).toThrow(`--backend: missing its list${expected}`);
    expect(() => parseBackendList('--json')).toThrow(`--backend: missing its list${expected}`);
    expect(() => parseBackendList('wasm,')).toThrow(`--backend: an empty name in "wasm,"${expected}`);
  });
});

describe('the backends the bench times', () => {
  it('by default: wasm, and the cpu backend in the full run, saying why the native ones are left out', async () => {
    const quick = await benchBackends(null, true, fakeModules({}));
    expect(quick.backends).toEqual(['wasm']);
    expect(quick.devices.get('wasm')).toMatch(/^CPU \(WebAssembly/);
    expect(quick.skipped).toEqual([
      { name: 'node-gpu', reason: 'not installed (optional dependency missing)' },
      { name: 'node', reason: 'not installed (optional dependency missing)' },
    ]);
    const full = await benchBackends(null, false, fakeModules({}));
    expect(full.backends).toEqual(['wasm', 'cpu']);
    expect(full.devices.get('cpu')).toBe('CPU (JavaScript)');
  });

  it('times tfjs-node-gpu when it loads, and then not tfjs-node (one process holds one of them)', async () => {
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true }, [CPU_PKG]: { gpuVisible: false } });
    const chosen = await benchBackends(null, true, modules);
    expect(chosen.backends).toEqual(['wasm', 'node-gpu']);
    expect(chosen.devices.get('node-gpu')).toBe('GPU (CUDA, TensorFlow 2.9.1)');
    expect(chosen.skipped).toEqual([]);
    expect(modules.loaded).toEqual([GPU_PKG]);
  });

  it('falls back to tfjs-node when the GPU package fails to load', async () => {
    const broken = new Error('libcudnn.so.8: cannot open shared object file');
    const chosen = await benchBackends(null, true, fakeModules({ [GPU_PKG]: broken, [CPU_PKG]: { gpuVisible: false } }));
    expect(chosen.backends).toEqual(['wasm', 'node']);
    expect(chosen.skipped).toEqual([{ name: 'node-gpu', reason: 'failed to load: libcudnn.so.8: cannot open shared object file' }]);
  });

  it('times only the backends asked for, and refuses one that cannot load, saying what to install', async () => {
    const chosen = await benchBackends(['node-gpu'], true, fakeModules({ [GPU_PKG]: { gpuVisible: false } }));
    expect(chosen.backends).toEqual(['node-gpu']);
    expect(chosen.devices.get('node-gpu')).toBe('CPU (TensorFlow 2.9.1; no GPU visible)');
    await expect(benchBackends(['wasm', 'node'], true, fakeModules({}))).rejects.toThrow(
      "--backend node: Backend 'node' is not available: tfjs-node: not installed (optional dependency missing). Install or rebuild it with `npm install @tensorflow/tfjs-node`",
    );
  });
});

describe('bench cases by backend', () => {
  it('times every model dense and with RigL on a native backend, masked dense', () => {
    const cases = benchCases(true, ['wasm', 'node-gpu']);
    const native = cases.filter((c) => c.backend === 'node-gpu');
    expect(native.map((c) => `${c.model} ${c.method}`)).toEqual([
      'mlp dense',
      'mlp static',
      'mlp rigl',
      'lenet5 dense',
      'lenet5 rigl',
      'lenet5-classic dense',
      'lenet5-classic rigl',
      'wrn-10-2 dense',
      'wrn-10-2 rigl',
    ]);
    expect(native.every((c) => c.compressed === undefined && c.warmup === 5)).toBe(true);
    // Each RigL run updates its masks (ΔT = 10) after the warm-up.
    expect(native.filter((c) => c.method === 'rigl').every((c) => c.deltaT === 10 && c.steps - c.warmup > 10)).toBe(true);
    const full = benchCases(false, ['node-gpu']);
    expect(full.map((c) => c.warmup)).toEqual(native.map(() => 10));
    expect(full.every((c, i) => c.steps - c.warmup > native[i]!.steps - native[i]!.warmup)).toBe(true);
  });

  it("times the cpu backend's MLP whenever it is asked for (the default list leaves it out of a quick run)", () => {
    for (const quick of [true, false]) expect(benchCases(quick, ['cpu']).map((c) => `${c.model} ${c.method}`)).toEqual(['mlp dense', 'mlp static', 'mlp rigl']);
  });
});
