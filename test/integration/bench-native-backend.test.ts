import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase } from '../bench/cases.js';
import { stepRows } from '../bench/step-rows.js';
import { syntheticTrainingData } from '../bench/synthetic-data.js';
import { ComputingNativeBackend, fakeModules, GPU_PKG } from '../helpers/fake-native.js';

afterAll(async () => {
  await tf.setBackend('cpu');
  tf.removeBackend('tensorflow');
});

describe('bench step times on tfjs-node-gpu (stood in for by the cpu kernels under its name)', () => {
  it('trains dense and RigL there, masked dense, and reports the device, speed-up and update cost', async () => {
    let tensorsWritten = 0;
    const modules = fakeModules({ [GPU_PKG]: { gpuVisible: true } }, (gpu, visible) => {
      const backend = new ComputingNativeBackend(gpu, visible);
      const write = backend.write.bind(backend);
      backend.write = (...args: Parameters<typeof write>) => {
        tensorsWritten++;
        return write(...args);
      };
      return backend;
    });
    const mlp = { model: 'mlp', dataset: 'fashion-mnist', batch: 16, backend: 'node-gpu' } as const;
    const cases: BenchCase[] = [
      { ...mlp, method: 'dense', sparsity: 0, steps: 4, warmup: 1 },
      { ...mlp, method: 'rigl', sparsity: 0.9, steps: 8, warmup: 1, deltaT: 3 },
    ];
    const data = (c: BenchCase) => syntheticTrainingData(c.dataset, c.steps * c.batch, c.batch);
    const seen: string[] = [];
    const rows = await stepRows(cases, data, { rounds: 1, modules, onRow: (row) => seen.push(row.method) });

    expect(tensorsWritten).toBeGreaterThan(100);
    expect(seen).toEqual(['dense', 'rigl']);
    const [dense, rigl] = rows;
    expect(dense).toMatchObject({ kind: 'step', model: 'mlp', method: 'dense', backend: 'node-gpu', device: 'GPU (CUDA, TensorFlow 2.9.1)', path: 'dense', batch: 16 });
    expect(rigl).toMatchObject({ method: 'rigl', backend: 'node-gpu', device: 'GPU (CUDA, TensorFlow 2.9.1)', path: 'masked-dense', sparsity: 0.9 });
    for (const row of rows) expect(row.imagesPerSecond).toBeCloseTo((16 * 1000) / row.msPerStep, 6);
    expect(dense!.speedupOverDense).toBeNull();
    // Steps 3 and 6 updated the masks; the speed-up charges the updates at ΔT = 100.
    expect(rigl!.updateExtraMs).not.toBeNull();
    const amortised = rigl!.msPerStep + rigl!.updateExtraMs! / 100;
    expect(rigl!.speedupOverDense).toBeCloseTo(dense!.msPerStep / amortised, 9);
    expect(rigl!.updateCost).toBeCloseTo(rigl!.updateExtraMs! / (100 * rigl!.msPerStep), 9);
  }, 60_000);
});
