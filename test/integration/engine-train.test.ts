import { describe, expect, it } from 'vitest';
import { dropCount } from '../../src-shared/sparsity/schedules.js';
import { planRun } from '../../src-shared/plan.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { mean, trainOnFashion } from '../helpers/training.js';

const small = { trainSubset: 1280, testSubset: 500, validationFraction: 0, backend: 'wasm' as const };

function lossFalls(losses: number[]): void {
  const k = Math.max(2, Math.floor(losses.length / 5));
  expect(mean(losses.slice(-k))).toBeLessThan(0.8 * mean(losses.slice(0, k)));
}

describe('training for real on Fashion-MNIST (wasm)', () => {
  it('LeNet-5 learns: the loss falls and test accuracy beats chance', async () => {
    const { outcome, observer } = await trainOnFashion({ ...small, model: 'lenet5', method: 'static', sparsity: 0.5, epochs: 2, batchSize: 64 });
    expect(outcome.status).toBe('completed');
    lossFalls(observer.steps.map((s) => s.loss));
    expect(outcome.testAccuracy!).toBeGreaterThan(0.5);
  });

  // Seeds that jumped without the warm-up (warmupSteps 0).
  it.each([
    // The second step's loss was 10.6 (from 4.6), and the network died at 2.30.
    { model: 'lenet5', seed: 0, accuracy: 0.75 },
    // One of the next nine steps' loss reached 13.2 (from 5.7).
    { model: 'lenet5-classic', seed: 2, accuracy: 0.7 },
  ])('dense $model with the recipe defaults does not jump at the start', async ({ model, seed, accuracy }) => {
    const { outcome, observer } = await trainOnFashion({ ...small, trainSubset: 128 * 100, testSubset: 1000, model, method: 'dense', sparsity: 0, epochs: 1, seed });
    const losses = observer.steps.map((s) => s.loss);
    expect(losses).toHaveLength(100);
    expect(Math.max(...losses.slice(1, 10))).toBeLessThan(losses[0]!);
    expect(outcome.testAccuracy!).toBeGreaterThan(accuracy);
  });

  it('a wide ResNet (WRN-10-1, BatchNorm, residual blocks) learns', async () => {
    const { outcome, observer } = await trainOnFashion({
      ...small,
      trainSubset: 640,
      model: 'wrn-10-1',
      method: 'rigl',
      sparsity: 0.5,
      epochs: 2,
      batchSize: 32,
      optimizer: { lr: 0.1 },
      dropout: 0,
      maskUpdate: { deltaT: 5 },
    });
    expect(outcome.status).toBe('completed');
    lossFalls(observer.steps.map((s) => s.loss));
    expect(outcome.testAccuracy!).toBeGreaterThan(0.3);
  });

  it('RigL keeps every layer at its exact active count and drops ⌊f(t)·n⌋ per update, none in a dense layer', async () => {
    const input = { ...small, model: 'mlp', method: 'rigl' as const, sparsity: 0.9, distribution: 'erk' as const, epochs: 3, batchSize: 32, maskUpdate: { deltaT: 10 } };
    const { outcome, observer } = await trainOnFashion(input);
    const plan = planRun(resolveRunConfig({ dataset: 'fashion-mnist', ...input }));
    const schedule = plan.dropGrow!;
    const expectedSteps = [];
    for (let t = schedule.deltaT; t < schedule.endStep; t += schedule.deltaT) expectedSteps.push(t);
    expect(observer.maskUpdates.map((e) => e.step)).toEqual(expectedSteps);
    for (const event of observer.maskUpdates) {
      event.layers.forEach((change, i) => {
        const { active, params } = plan.allocation[i]!;
        expect(change.active).toBe(active);
        // ERK keeps the output layer dense: it could only grow back what it dropped, so nothing changes.
        expect(change.dropped).toBe(active === params ? 0 : dropCount(event.step, active, schedule));
        expect(change.grown).toBe(change.dropped);
      });
    }
    expect(plan.allocation.map((a) => a.active === a.params)).toEqual([false, false, true]);
    // The final masks still hold exactly the allocated counts (nothing grown stayed at exactly 0 in fc1).
    expect(outcome.layers.map((l) => l.active)).toEqual(plan.allocation.map((a) => a.active));
  });

  it('gradual pruning reaches the final sparsity on schedule', async () => {
    const input = {
      ...small,
      model: 'mlp',
      method: 'pruning',
      sparsity: 0.8,
      distribution: 'uniform',
      epochs: 2,
      batchSize: 32,
      pruning: { frequency: 10 },
    } as const;
    const { outcome, observer } = await trainOnFashion(input);
    const fc1 = observer.maskUpdates.map((e) => e.layers[0]!.active);
    expect(fc1[0]).toBe(235200); // t0: the ramp starts at 0
    for (let i = 1; i < fc1.length; i++) expect(fc1[i]!).toBeLessThanOrEqual(fc1[i - 1]!);
    expect(observer.maskUpdates.at(-1)!.layers.map((l) => l.active)).toEqual([47040, 6000, 200]);
    // Densities are reported after every event that changed them, at the event's step (where its
    // mask update is recorded), not only at epoch ends.
    const fc1Density = new Map(observer.layerSnapshots.map((s) => [s.step, s.layers[0]!.active]));
    for (const event of observer.maskUpdates.filter((e) => e.layers[0]!.dropped > 0)) {
      expect(fc1Density.get(event.step), `density after the event at step ${event.step}`).toBe(event.layers[0]!.active);
    }
    expect(outcome.finalSparsity).toBeCloseTo(0.8, 3);
    // Training FLOPs fall between the dense and the final sparse cost, and are what the plan forecast
    // (each event's own step trained at the densities before it).
    expect(outcome.trainFlopsRatio).toBeGreaterThan(0.2);
    expect(outcome.trainFlopsRatio).toBeLessThan(1);
    expect(outcome.trainFlops).toBeCloseTo(planRun(resolveRunConfig({ dataset: 'fashion-mnist', ...input })).flops.train, -3);
  });

  it('the same config and seed give the same numbers (wasm and cpu)', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      const input = { ...small, trainSubset: 640, backend, model: 'mlp', method: 'set' as const, epochs: 1, batchSize: 64, maskUpdate: { deltaT: 3 }, dropout: 0.2 };
      const a = await trainOnFashion(input);
      const b = await trainOnFashion(input);
      expect(b.observer.steps.map((s) => s.loss)).toEqual(a.observer.steps.map((s) => s.loss));
      expect(b.outcome.testAccuracy).toBe(a.outcome.testAccuracy);
      const c = await trainOnFashion({ ...input, seed: 1 });
      expect(c.observer.steps.map((s) => s.loss)).not.toEqual(a.observer.steps.map((s) => s.loss));
    }
  });
});
