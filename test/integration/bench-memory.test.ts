import { describe, expect, it } from 'vitest';
import type { BenchCase } from '../bench/cases.js';
import { stepRows } from '../bench/step-rows.js';
import { syntheticTrainingData } from '../bench/synthetic-data.js';

/**
 * LeNet-300-100 (784·300 + 300·100 + 100·10 weights, 410 biases), at 90% with ERK: fc1 keeps
 * 18,714 weights, fc2 6,906 and fc3 all 1,000 (ERK gives it a density above 1, capped).
 */
const WEIGHTS = 784 * 300 + 300 * 100 + 100 * 10;
const BIASES = 300 + 100 + 10;
const FLOAT = 4;

describe('bench memory figures on wasm', () => {
  it('counts what each path keeps between steps, byte for byte, and the peak of a step', async () => {
    const mlp = { model: 'mlp', dataset: 'fashion-mnist', batch: 32, backend: 'wasm', steps: 6, warmup: 1 } as const;
    const cases: BenchCase[] = [
      { ...mlp, method: 'dense', sparsity: 0 },
      { ...mlp, method: 'static', sparsity: 0.9, compressed: false },
      { ...mlp, method: 'static', sparsity: 0.9 },
      { ...mlp, method: 'rigl', sparsity: 0.9, deltaT: 2 },
    ];
    const data = (c: BenchCase) => syntheticTrainingData(c.dataset, c.steps * c.batch, c.batch);
    const [dense, masked, compressed, rigl] = await stepRows(cases, data, { rounds: 1 });

    // Dense: each weight and bias with its momentum.
    expect(dense!.tensorBytes).toBe(2 * FLOAT * (WEIGHTS + BIASES)); // 2,132,880
    // Masked dense: the same, and a 0/1 float mask per weight.
    expect(masked!.tensorBytes).toBe(dense!.tensorBytes + FLOAT * WEIGHTS);
    // Compressed: fc1 and fc2 keep their active values, momentum and column indices, with one
    // row start per input row and one past the end; fc3 stays dense, masked by a mask of ones.
    const sparseLayer = (active: number, rows: number) => 3 * FLOAT * active + FLOAT * (rows + 1);
    const fc3 = 2 * FLOAT * 1000 + FLOAT * 1000;
    expect(compressed!.tensorBytes).toBe(sparseLayer(18_714, 784) + sparseLayer(6_906, 300) + fc3 + 2 * FLOAT * BIASES); // 327,064
    // RigL's layers, moved on the device with their momentum in one call, keep the same.
    expect(rigl!.tensorBytes).toBe(compressed!.tensorBytes);

    // A step holds its activations and gradients on top; a RigL update holds dense gradients.
    for (const row of [dense, masked, compressed, rigl]) expect(row!.peakBytes).toBeGreaterThan(row!.tensorBytes);
    expect(rigl!.peakBytes).toBeGreaterThan(compressed!.peakBytes);
    expect(rigl!.peakBytes).toBeLessThan(dense!.peakBytes);
  }, 120_000);
});
