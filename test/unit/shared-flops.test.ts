import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { buildModelSpec, maskedLayers, parameterCount } from '../../src-shared/models/index.js';
import { planRun, standardDenseTrainFlops, trainFlopsRatio } from '../../src-shared/plan.js';
import { denseForwardFlops, sparseForwardFlops, trainingFlopsPerExample } from '../../src-shared/sparsity/flops.js';

describe('per-layer forward FLOPs (one multiply-add = 2 FLOPs, conv and dense only)', () => {
  it('LeNet-300-100: 2 × 266,200', () => {
    expect(denseForwardFlops(maskedLayers(buildModelSpec('mlp', 'mnist')))).toBe(532400);
  });

  it('LeNet-5 on 28×28: conv1 2·500·24², conv2 2·25000·8², fc1 2·400000, fc2 2·5000', () => {
    const layers = maskedLayers(buildModelSpec('lenet5', 'mnist'));
    expect(layers.map((l) => l.flops)).toEqual([576000, 3200000, 800000, 10000]);
  });

  it('classic LeNet-5 on 28×28: conv1 2·150·28² (same), conv2 2·2400·10², fc 2·48000, 2·10080, 2·840', () => {
    const layers = maskedLayers(buildModelSpec('lenet5-classic', 'fashion-mnist'));
    expect(layers.map((l) => [l.name, l.shape])).toEqual([
      ['conv1', [5, 5, 1, 6]],
      ['conv2', [5, 5, 6, 16]],
      ['fc1', [400, 120]],
      ['fc2', [120, 84]],
      ['fc3', [84, 10]],
    ]);
    expect(layers.map((l) => l.flops)).toEqual([235200, 480000, 96000, 20160, 1680]);
    expect(denseForwardFlops(layers)).toBe(833040);
  });

  it('WRN-22-2: the first conv sees 32×32 outputs, the last group 8×8', () => {
    const layers = maskedLayers(buildModelSpec('wrn-22-2', 'cifar10'));
    expect(layers[0]!.flops).toBe(2 * 432 * 1024);
    const last = layers.find((l) => l.name === 'group3.block3.conv2')!;
    expect(last.flops).toBe(2 * 147456 * 64);
    expect(layers.at(-1)!.flops).toBe(2 * 1280);
  });

  it('f_S scales each layer by its density', () => {
    expect(sparseForwardFlops([{ flops: 100 }, { flops: 50 }], [0.1, 1])).toBe(60);
  });
});

describe('training FLOPs per example and step (spec §3)', () => {
  const s = { sparse: 10, dense: 100, deltaT: 100, updatesRunning: true };
  it('dense 3 f_D; static, SET and pruning 3 f_S; SNFS 2 f_S + f_D', () => {
    expect(trainingFlopsPerExample({ ...s, method: 'dense' })).toBe(300);
    expect(trainingFlopsPerExample({ ...s, method: 'static' })).toBe(30);
    expect(trainingFlopsPerExample({ ...s, method: 'set' })).toBe(30);
    expect(trainingFlopsPerExample({ ...s, method: 'pruning' })).toBe(30);
    expect(trainingFlopsPerExample({ ...s, method: 'snfs' })).toBe(120);
  });

  it('RigL (3 f_S ΔT + 2 f_S + f_D)/(ΔT + 1) while updating, 3 f_S after T_end', () => {
    expect(trainingFlopsPerExample({ ...s, method: 'rigl' })).toBeCloseTo(3120 / 101, 12);
    expect(trainingFlopsPerExample({ ...s, method: 'rigl', updatesRunning: false })).toBe(30);
  });
});

describe('run plans', () => {
  it('steps: floor(train examples / batch) per epoch, examples after the validation split', () => {
    const plan = planRun(resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp', epochs: 15, batchSize: 128, validationFraction: 0.1 }));
    expect(plan.trainExamples).toBe(54000);
    expect(plan.stepsPerEpoch).toBe(421);
    expect(plan.totalSteps).toBe(6315);
    expect(plan.dropGrow?.endStep).toBe(Math.round(0.75 * 6315));
  });

  it('the training multiplier scales epochs and the LR drop steps together', () => {
    const plan = planRun(resolveRunConfig({ dataset: 'cifar10', trainingMultiplier: 2 }));
    expect(plan.epochs).toBe(500);
    expect(plan.lr.schedule).toEqual({ kind: 'step', gamma: 0.2, everySteps: 60000 });
  });

  it('static ERK 90% on LeNet-300-100 trains at f_S / f_D of dense', () => {
    const plan = planRun(resolveRunConfig({ model: 'mlp', method: 'static', sparsity: 0.9, distribution: 'erk' }));
    const expected = (18714 * 2 + 6906 * 2 + 1000 * 2) / 532400;
    expect(plan.flops.inferenceRatio).toBeCloseTo(expected, 12);
    expect(plan.flops.trainRatio).toBeCloseTo(expected, 12);
  });

  it('RigL costs more than static by the dense gradient every ΔT steps until T_end', () => {
    const config = resolveRunConfig({ model: 'mlp', method: 'rigl', sparsity: 0.9, distribution: 'uniform' });
    const plan = planRun(config);
    const fS = 2 * (23520 + 3000 + 100);
    const fD = 532400;
    const running = plan.dropGrow!.endStep;
    const perExample = running * ((3 * fS * 100 + 2 * fS + fD) / 101) + (plan.totalSteps - running) * 3 * fS;
    expect(plan.flops.train).toBeCloseTo(perExample * 128, 0);
    expect(plan.flops.trainRatio).toBeCloseTo(perExample / (3 * fD * plan.totalSteps), 12);
  });

  it('RigL that makes no mask update (T_end before the first ΔT) costs what Static does', () => {
    // 1,000 examples: 7 steps of 128, T_end = round(0.75 · 7) = 5, before ΔT = 100.
    const short = { model: 'mlp', sparsity: 0.9, distribution: 'uniform', epochs: 1, trainSubset: 1000, validationFraction: 0 } as const;
    const rigl = planRun(resolveRunConfig({ ...short, method: 'rigl' }));
    expect(rigl.totalSteps).toBe(7);
    expect(rigl.flops.trainRatio).toBeCloseTo(planRun(resolveRunConfig({ ...short, method: 'static' })).flops.trainRatio, 12);
    expect(rigl.flops.trainRatio).toBeCloseTo((2 * (23520 + 3000 + 100)) / 532400, 12);
  });

  it('pruning starts at the dense cost and falls along the cubic ramp', () => {
    const plan = planRun(resolveRunConfig({ model: 'mlp', method: 'pruning', sparsity: 0.9, distribution: 'uniform' }));
    expect(plan.flops.trainRatio).toBeGreaterThan(0.3);
    expect(plan.flops.trainRatio).toBeLessThan(0.6);
    expect(plan.flops.inferenceRatio).toBeCloseTo((2 * (23520 + 3000 + 100)) / 532400, 12);
  });

  it('training FLOPs count against the standard dense run: full width, 1× length, same data and batch (spec §3, §4: RigL-ERK 2× at 0.70×)', () => {
    // 8,000 examples less 10% validation = 7,200: 56 batches of 128 an epoch, 3 epochs at 1×, 168 steps.
    // Dense LeNet-300-100 forward: 2 · 266,200 = 532,400 FLOPs; 3 · 532,400 · 128 · 168 = 34,346,188,800.
    const quick = { dataset: 'fashion-mnist', model: 'mlp', epochs: 3, trainSubset: 8000, validationFraction: 0.1 } as const;
    const dense1x = 34_346_188_800;
    expect(standardDenseTrainFlops(resolveRunConfig({ ...quick, method: 'dense' }))).toBe(dense1x);
    const dense2x = resolveRunConfig({ ...quick, method: 'dense', trainingMultiplier: 2 });
    expect(standardDenseTrainFlops(dense2x)).toBe(dense1x);
    expect(planRun(dense2x).flops.trainRatio).toBeCloseTo(2, 12);
    const rigl2x = resolveRunConfig({ ...quick, method: 'rigl', sparsity: 0.9, trainingMultiplier: 2 });
    expect(planRun(rigl2x).flops.trainRatio).toBeCloseTo(2 * planRun({ ...rigl2x, trainingMultiplier: 1 }).flops.trainRatio, 2);
    // Small-Dense at half width: its own (smaller) model trains, the full-width one is the reference.
    expect(standardDenseTrainFlops(resolveRunConfig({ ...quick, method: 'dense', widthMultiplier: 0.5 }))).toBe(dense1x);
    // Part of a run counts as that part: 10 dense steps are 10/168 of the standard run.
    expect(trainFlopsRatio(3 * 532_400 * 128 * 10, resolveRunConfig({ ...quick, method: 'dense' }))).toBeCloseTo(10 / 168, 12);
    expect(trainFlopsRatio(null, dense2x)).toBeNull();
  });

  it('parameter counts include biases and BatchNorm', () => {
    expect(parameterCount(buildModelSpec('mlp', 'mnist'))).toBe(266200 + 300 + 100 + 10);
    // WRN-22-2: kernels + fc bias + BN scale and offset. Two BN per block (input, then output
    // channels): group 1 16 + 32·5, group 2 32 + 64·5, group 3 64 + 128·5, and the final 128.
    const bnChannels = 16 + 32 * 5 + (32 + 64 * 5) + (64 + 128 * 5) + 128;
    expect(parameterCount(buildModelSpec('wrn-22-2', 'cifar10'))).toBe(1076912 + 10 + 2 * bnChannels);
  });

});
