import { describe, expect, it } from 'vitest';
import { expandExperiment, parseExperimentSpec } from '../../src-shared/config/experiment.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { PRESETS, REPORT_VIEWS, viewOfPreset } from '../../src-shared/config/presets.js';
import { buildModelSpec, parameterCount } from '../../src-shared/models/index.js';
import { planRun } from '../../src-shared/plan.js';
import { longWarmupNotes } from '../../src-shared/report/warmup-note.js';
import {
  inferenceFlopsAt,
  smallDenseMatchedSparsity,
  smallDenseWidth,
  sparseParameterCount,
  sparsityForInferenceFlops,
} from '../../src-shared/sparsity/matching.js';

const mlp = { model: 'mlp', dataset: 'fashion-mnist' } as const;
const lenet = { model: 'lenet5', dataset: 'fashion-mnist', denseFirstLayer: false, layerSparsity: {} } as const;

describe('Small-Dense baselines', () => {
  it('count the sparse network as its active weights plus its dense biases', () => {
    // LeNet-300-100 at 90%: 23520 + 3000 + 100 active weights, 410 biases.
    expect(sparseParameterCount(mlp, 0.9)).toBe(26620 + 410);
  });

  it('scale LeNet-300-100 to the same parameter count', () => {
    const w = smallDenseWidth(mlp, 0.9);
    // Width 0.1117: hidden layers of round(300w) = 34 and round(100w) = 11 units:
    // 784·34 + 34 + 34·11 + 11 + 11·10 + 10 = 27,195 against 27,030.
    expect(w).toBe(0.1117);
    const spec = buildModelSpec('mlp', 'fashion-mnist', { widthMultiplier: w });
    expect(parameterCount(spec)).toBe(27195);
    expect(smallDenseMatchedSparsity(mlp, w)).toBeCloseTo(0.8994, 4);
  });

  it('take the width whose count is closest to the sparse network\'s, not only the nearest to the crossing', () => {
    // At 80%: 53,240 + 410 = 53,650 parameters. Width 0.2217 gives hidden layers of 67 and 22 units,
    // 784·67 + 67 + 67·22 + 22 + 22·10 + 10 = 54,321 (671 over); 0.2216 gives 66 and 22, 53,514
    // (136 under). Both ends of the bisection rounded to the nearest gave 0.2217.
    const target = sparseParameterCount(mlp, 0.8);
    expect(target).toBe(53650);
    const w = smallDenseWidth(mlp, 0.8);
    expect(w).toBe(0.2216);
    const off = (x: number) => Math.abs(parameterCount(buildModelSpec('mlp', 'fashion-mnist', { widthMultiplier: x })) - target);
    for (let x = 0.2; x <= 0.24; x += 0.0001) expect(off(w), `width ${x.toFixed(4)}`).toBeLessThanOrEqual(off(Number(x.toFixed(4))));
  });

  it('report their FLOPs against the full-width dense network', () => {
    const plan = planRun(resolveRunConfig({ ...mlp, method: 'dense', widthMultiplier: 0.1117 }));
    // Forward FLOPs 2·(784·34 + 34·11 + 11·10) against 2·266,200.
    expect(plan.flops.inferenceRatio).toBeCloseTo((784 * 34 + 34 * 11 + 110) / 266200, 12);
    expect(plan.flops.trainRatio).toBeCloseTo(plan.flops.inferenceRatio, 12);
  });
});

describe('FLOP-matched sparsity', () => {
  it('finds where ERK costs what uniform costs at 90% on LeNet-5', () => {
    const target = inferenceFlopsAt(lenet, 'uniform', 0.9);
    // Uniform at 90%: conv1 50/500 weights, conv2 2500, fc1 40000, fc2 500 active, each ×2 ×its outputs.
    expect(target).toBe(2 * 50 * 576 + 2 * 2500 * 64 + 2 * 40000 + 2 * 500);
    const s = sparsityForInferenceFlops(lenet, 'erk', target);
    expect(s).toBeGreaterThan(0.9);
    expect(inferenceFlopsAt(lenet, 'erk', s)).toBeLessThanOrEqual(target);
    expect(inferenceFlopsAt(lenet, 'erk', s - 0.0002)).toBeGreaterThan(target);
  });

  it('for a network of fully connected layers, equal parameters already mean equal FLOPs', () => {
    const c = { ...mlp, denseFirstLayer: false, layerSparsity: {} };
    expect(inferenceFlopsAt(c, 'erk', 0.9)).toBeCloseTo(inferenceFlopsAt(c, 'uniform', 0.9), -2);
  });
});

describe('derived runs in experiments', () => {
  it('adds one Small-Dense run per sparsity and seed', () => {
    const runs = expandExperiment(
      parseExperimentSpec({ name: 'x', base: mlp, grid: { method: ['static', 'rigl'], sparsity: [0.9, 0.95], seed: [0, 1] }, derived: { smallDense: true } }),
    );
    const small = runs.filter((r) => r.method === 'dense');
    expect(small.map((r) => [r.widthMultiplier, r.seed])).toEqual([
      [0.1117, 0],
      [0.1117, 1],
      [0.0583, 0],
      [0.0583, 1],
    ]);
  });

  it('adds the FLOP-matched run of the matched distribution', () => {
    const runs = expandExperiment(
      parseExperimentSpec({
        name: 'x',
        base: { ...lenet, method: 'rigl' },
        grid: { distribution: ['uniform', 'erk'], sparsity: [0.9] },
        derived: { flopMatched: { reference: 'uniform', matched: 'erk' } },
      }),
    );
    expect(runs.map((r) => `${r.distribution} ${r.sparsity}`)).toEqual(['uniform 0.9', 'erk 0.9', `erk ${sparsityForInferenceFlops(lenet, 'erk', inferenceFlopsAt(lenet, 'uniform', 0.9))}`]);
  });
});

describe('presets', () => {
  it('cover the five experiments on three setups, and every one expands', () => {
    for (const view of REPORT_VIEWS) {
      for (const setup of ['cifar10-wrn22-2', 'cifar100-resnet50', 'fashion-mnist-quick']) {
        const preset = PRESETS.find((p) => p.id === `${view}/${setup}`);
        expect(preset, `${view}/${setup}`).toBeDefined();
        expect(viewOfPreset(preset!.id)).toBe(view);
        expect(expandExperiment(parseExperimentSpec(preset!.spec)).length).toBeGreaterThan(1);
      }
    }
  });

  it('warm up for less than their runs last', () => {
    for (const preset of PRESETS) expect(longWarmupNotes(expandExperiment(parseExperimentSpec(preset.spec))), preset.id).toEqual([]);
  });

  it('use the report recipes for CIFAR', () => {
    const runs = expandExperiment(parseExperimentSpec(PRESETS.find((p) => p.id === 'methods/cifar10-wrn22-2')!.spec));
    expect(runs).toHaveLength(3 + 4 * 3 + 5 * 4 * 2 * 3);
    expect(runs[0]).toMatchObject({ epochs: 250, optimizer: { lr: 0.1, weightDecay: 5e-4 }, dropout: 0.3 });
  });
});
