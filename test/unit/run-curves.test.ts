import { describe, expect, it } from 'vitest';
import { learningRateCurve } from '../../src-shared/training/lr.js';
import { METRIC, trainingSeries } from '../../src-shared/api/metrics.js';

describe('the learning-rate curve of a run', () => {
  it('takes every step of a short run, from its plan', () => {
    // Cosine from 0.1 over 5 steps: 0.1 · (1 + cos(π t/5)) / 2.
    const curve = learningRateCurve({ base: 0.1, schedule: { kind: 'cosine' }, warmupSteps: 0, totalSteps: 5 });
    // The rate of step t at t + 1, where a logged step's metrics stand.
    expect(curve.map(([t]) => t)).toEqual([1, 2, 3, 4, 5]);
    expect(curve[0]![1]).toBeCloseTo(0.1, 12);
    expect(curve[1]![1]).toBeCloseTo(0.0904508497, 9);
    expect(curve[4]![1]).toBeCloseTo(0.0095491503, 9);
  });

  it('keeps the steps on both sides of a warm-up end and of each drop of a step schedule, among evenly spread ones', () => {
    const curve = learningRateCurve({ base: 1, schedule: { kind: 'step', gamma: 0.2, everySteps: 450 }, warmupSteps: 10, totalSteps: 1000 }, 10);
    expect(curve.map(([t]) => t - 1)).toEqual([0, 9, 10, 100, 200, 300, 400, 449, 450, 500, 600, 700, 800, 899, 900, 999]);
    const at = new Map(curve.map(([t, rate]) => [t - 1, rate]));
    // Warm-up: (t + 1) / 10 of the rate; then ×0.2 from step 450, ×0.04 from step 900.
    expect([at.get(0), at.get(9), at.get(10), at.get(449), at.get(450), at.get(899)]).toEqual([0.1, 1, 1, 1, 0.2, 0.2]);
    expect(at.get(900)).toBeCloseTo(0.04, 12);
    expect(learningRateCurve({ base: 1, schedule: { kind: 'constant' }, warmupSteps: 0, totalSteps: 0 })).toEqual([]);
    // A drop every 10 of 100,000 steps: 10,000 edges, past the 1,000 points asked for.
    expect(learningRateCurve({ base: 1, schedule: { kind: 'step', gamma: 0.9, everySteps: 10 }, warmupSteps: 0, totalSteps: 100_000 }).length).toBe(1001);
  });
});

describe("the series of a run's training curve", () => {
  it('is the logged steps\', unless the run logged fewer points than it had epochs', () => {
    const counts = (steps: number, epochs: number) => new Map([[METRIC.trainLoss, steps], [METRIC.epochTrainLoss, epochs]]);
    expect(trainingSeries(counts(5, 3), METRIC.trainLoss, METRIC.epochTrainLoss)).toBe(METRIC.trainLoss);
    expect(trainingSeries(counts(3, 3), METRIC.trainLoss, METRIC.epochTrainLoss)).toBe(METRIC.trainLoss);
    // Logged every 50 steps of a 42-step run: one point, against 3 epochs.
    expect(trainingSeries(counts(1, 3), METRIC.trainLoss, METRIC.epochTrainLoss)).toBe(METRIC.epochTrainLoss);
    expect(trainingSeries(new Map(), METRIC.trainLoss, METRIC.epochTrainLoss)).toBe(METRIC.trainLoss);
  });
});
