import { describe, expect, it } from 'vitest';
import { gpuWorkerEnv } from '../../src-main/engine/backend/gpu-worker-env.js';
import { workerEnv } from '../../src-main/runner/launcher.js';

describe('environment of a training worker that may use tfjs-node-gpu (no CUDA on this machine)', () => {
  const only = (...paths: string[]) => (p: string) => paths.includes(p);

  it('prepends the CUDA and cuDNN library folders that exist, once, before what the user had', () => {
    const env = gpuWorkerEnv(
      { CUDA_HOME: '/opt/cuda', CUDNN_PATH: '/opt/cudnn', LD_LIBRARY_PATH: '/usr/lib/custom', PATH: '/bin' },
      only('/opt/cuda/lib64', '/opt/cudnn/lib', '/usr/local/cuda/lib64'),
    );
    expect(env['LD_LIBRARY_PATH']).toBe('/opt/cuda/lib64:/opt/cudnn/lib:/usr/local/cuda/lib64:/usr/lib/custom');
    expect(env['PATH']).toBe('/bin');
    expect(env['TF_FORCE_GPU_ALLOW_GROWTH']).toBe('true');
  });

  it('prefers CUDA 11.2 and does not repeat a folder already on the path', () => {
    const env = gpuWorkerEnv({ LD_LIBRARY_PATH: '/usr/local/cuda/lib64' }, only('/usr/local/cuda-11.2/lib64', '/usr/local/cuda/lib64'));
    expect(env['LD_LIBRARY_PATH']).toBe('/usr/local/cuda-11.2/lib64:/usr/local/cuda/lib64');
  });

  it('changes nothing but memory growth where there is no CUDA, and keeps a user choice of it', () => {
    const base = { TF_FORCE_GPU_ALLOW_GROWTH: 'false', HOME: '/home/u' };
    expect(gpuWorkerEnv(base, () => false)).toEqual(base);
    expect(gpuWorkerEnv({}, () => false)).toEqual({ TF_FORCE_GPU_ALLOW_GROWTH: 'true' });
  });
});

describe('environment of a training worker', () => {
  it('gives the worker its share of the cores for the wasm kernels, unless RIGL_LAB_THREADS is set', () => {
    expect(workerEnv({}, { threads: 3 })['RIGL_LAB_THREADS']).toBe('3');
    expect(workerEnv({ RIGL_LAB_THREADS: '1' }, { threads: 3 })['RIGL_LAB_THREADS']).toBe('1');
    expect(workerEnv({}, { threads: 3 })['TF_FORCE_GPU_ALLOW_GROWTH']).toBe('true');
  });
});
