import { describe, expect, it } from 'vitest';
import {
  dropCount,
  dropFraction,
  isMaskUpdateStep,
  isPruningStep,
  maskUpdateCount,
  pruningActiveCount,
  pruningProgress,
  pruningSparsity,
} from '../../src-shared/sparsity/schedules.js';
import { learningRate } from '../../src-shared/training/lr.js';

const cosine = { alpha: 0.3, deltaT: 100, endStep: 1000, schedule: 'cosine' as const };

describe('drop fraction f(t) = α/2 (1 + cos(π t / T_end))', () => {
  it('starts at α, halves at T_end/2, reaches 0 at T_end', () => {
    expect(dropFraction(0, cosine)).toBeCloseTo(0.3, 12);
    expect(dropFraction(250, cosine)).toBeCloseTo(0.15 * (1 + Math.SQRT1_2), 12); // 0.256066
    expect(dropFraction(250, cosine)).toBeCloseTo(0.256066, 6);
    expect(dropFraction(500, cosine)).toBeCloseTo(0.15, 12);
    expect(dropFraction(1000, cosine)).toBeCloseTo(0, 12);
  });

  it('the constant schedule stays at α', () => {
    expect(dropFraction(700, { ...cosine, schedule: 'constant' })).toBe(0.3);
  });

  it('k = ⌊f(t)·n_active⌋', () => {
    // f(100) = 0.15·(1 + cos(0.1π)) = 0.292658 → 292 of 1000
    expect(dropCount(100, 1000, cosine)).toBe(292);
    expect(dropCount(500, 1000, cosine)).toBe(150);
    expect(dropCount(500, 7, cosine)).toBe(1);
  });

  it('updates at t = ΔT, 2ΔT, … while t < T_end', () => {
    expect([0, 50, 100, 150, 200, 900, 999, 1000, 1100].map((t) => isMaskUpdateStep(t, cosine))).toEqual([
      false, false, true, false, true, true, false, false, false,
    ]);
  });

  it('counts the updates a run makes: none when T_end comes before ΔT', () => {
    // 100, 200, …, 900 below T_end = 1000; 100 is not below 100; a 42-step run at 75% ends at 32.
    expect(maskUpdateCount(cosine)).toBe(9);
    expect(maskUpdateCount({ ...cosine, endStep: 1001 })).toBe(10);
    expect(maskUpdateCount({ ...cosine, endStep: 100 })).toBe(0);
    expect(maskUpdateCount({ ...cosine, endStep: 101 })).toBe(1);
    expect(maskUpdateCount({ ...cosine, endStep: 32 })).toBe(0);
    expect(maskUpdateCount({ ...cosine, endStep: 0 })).toBe(0);
    for (const endStep of [0, 1, 99, 100, 101, 250, 1000]) {
      let counted = 0;
      for (let t = 0; t <= 1200; t++) if (isMaskUpdateStep(t, { ...cosine, endStep })) counted++;
      expect(maskUpdateCount({ ...cosine, endStep })).toBe(counted);
    }
  });
});

describe('gradual magnitude pruning (Zhu & Gupta, s_i = 0)', () => {
  const schedule = { startStep: 100, endStep: 1100, frequency: 100 };

  it('follows 1 − (1 − (t − t0)/(t1 − t0))³', () => {
    expect(pruningProgress(50, schedule)).toBe(0);
    expect(pruningProgress(100, schedule)).toBe(0);
    expect(pruningProgress(350, schedule)).toBeCloseTo(1 - 0.75 ** 3, 12); // 0.578125
    expect(pruningProgress(600, schedule)).toBeCloseTo(0.875, 12);
    expect(pruningProgress(1100, schedule)).toBe(1);
    expect(pruningProgress(5000, schedule)).toBe(1);
    expect(pruningSparsity(600, 0.9, schedule)).toBeCloseTo(0.7875, 12);
  });

  it('layer active counts go from N to the final count along the ramp', () => {
    // 1000 − round(0.875 · (1000 − 100)) = 1000 − 788
    expect(pruningActiveCount(600, 1000, 100, schedule)).toBe(212);
    expect(pruningActiveCount(0, 1000, 100, schedule)).toBe(1000);
    expect(pruningActiveCount(1100, 1000, 100, schedule)).toBe(100);
  });

  it('prunes every Δp steps from t0 to t1, and at t1', () => {
    expect([99, 100, 150, 200, 1100, 1200].map((t) => isPruningStep(t, schedule))).toEqual([false, true, false, true, true, false]);
    const uneven = { startStep: 100, endStep: 1050, frequency: 100 };
    expect(isPruningStep(1050, uneven)).toBe(true);
    expect(isPruningStep(1000, uneven)).toBe(true);
  });
});

describe('learning rate', () => {
  it('step: ×0.2 every 30,000 steps (the CIFAR-10 recipe)', () => {
    const plan = { base: 0.1, schedule: { kind: 'step' as const, gamma: 0.2, everySteps: 30000 }, warmupSteps: 0, totalSteps: 87750 };
    expect(learningRate(29999, plan)).toBeCloseTo(0.1, 12);
    expect(learningRate(30000, plan)).toBeCloseTo(0.02, 12);
    expect(learningRate(60000, plan)).toBeCloseTo(0.004, 12);
  });

  it('linear warm-up over the first steps', () => {
    const plan = { base: 0.1, schedule: { kind: 'constant' as const }, warmupSteps: 1760, totalSteps: 10000 };
    expect(learningRate(0, plan)).toBeCloseTo(0.1 / 1760, 12);
    expect(learningRate(879, plan)).toBeCloseTo(0.05, 12);
    expect(learningRate(1759, plan)).toBeCloseTo(0.1, 12);
    expect(learningRate(5000, plan)).toBe(0.1);
  });

  it('cosine from lr to 0 over the run', () => {
    const plan = { base: 0.05, schedule: { kind: 'cosine' as const }, warmupSteps: 0, totalSteps: 1000 };
    expect(learningRate(0, plan)).toBeCloseTo(0.05, 12);
    expect(learningRate(500, plan)).toBeCloseTo(0.025, 12);
    expect(learningRate(1000, plan)).toBeCloseTo(0, 12);
  });
});
