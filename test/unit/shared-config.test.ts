import { describe, expect, it } from 'vitest';
import { expandExperiment, parseExperimentSpec } from '../../src-shared/config/experiment.js';
import { ConfigError, issueInWords, newRunConfigSchema, parseWith, resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { Random } from '../../src-shared/random.js';

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('run config', () => {
  it('fills the CIFAR-10 recipe of the reproducibility report', () => {
    const c = resolveRunConfig({ dataset: 'cifar10' });
    expect(c).toMatchObject({
      model: 'wrn-22-2',
      epochs: 250,
      batchSize: 128,
      optimizer: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      lrSchedule: { kind: 'step', gamma: 0.2, everySteps: 30000 },
      dropout: 0.3,
      validationFraction: 0.1,
      distribution: 'erk',
      maskUpdate: { alpha: 0.3, deltaT: 100, endFraction: 0.75 },
      augment: true,
    });
  });

  it('fills the CIFAR-100 ResNet-50 recipe', () => {
    const c = resolveRunConfig({ dataset: 'cifar100' });
    expect(c).toMatchObject({
      model: 'resnet50',
      lrSchedule: { kind: 'step', everySteps: 20000 },
      warmupSteps: 1760,
      labelSmoothing: 0.1,
      optimizer: { weightDecay: 1e-4 },
      dropout: 0,
    });
  });

  it('warms both LeNet-5s up for 100 steps on the 28x28 datasets, and nothing else there', () => {
    expect(resolveRunConfig({ dataset: 'fashion-mnist', model: 'lenet5' }).warmupSteps).toBe(100);
    expect(resolveRunConfig({ dataset: 'mnist', model: 'lenet5' }).warmupSteps).toBe(100);
    expect(resolveRunConfig({ dataset: 'fashion-mnist', model: 'lenet5-classic' }).warmupSteps).toBe(100);
    expect(resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp' }).warmupSteps).toBe(0);
    expect(resolveRunConfig({ dataset: 'cifar10', model: 'lenet5' }).warmupSteps).toBe(0);
    expect(resolveRunConfig({ dataset: 'fashion-mnist', model: 'lenet5', warmupSteps: 0 }).warmupSteps).toBe(0);
  });

  it('merges a partial optimizer with the recipe', () => {
    const c = resolveRunConfig({ optimizer: { lr: 0.01 } });
    expect(c.optimizer).toEqual({ lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
  });

  it('names every bad field and the allowed values', () => {
    const issues = issuesOf(() =>
      resolveRunConfig({
        method: 'lottery',
        model: 'vgg16',
        sparsity: 1,
        epochs: 0,
        maskUpdate: { deltaT: 0, endFraction: 1.5 },
        distribution: 'gaussian',
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        'method: must be one of "dense", "static", "set", "snfs", "rigl", "pruning"',
        'model: must be mlp, lenet5, lenet5-classic, wrn-D-K (e.g. wrn-22-2) or resnet50',
        'sparsity: must be a fraction below 1, e.g. 0.9 for 90% (1 would remove every weight)',
        'epochs: must be at least 1',
        'maskUpdate.deltaT: must be a whole number of steps, at least 1',
        'maskUpdate.endFraction: must be in (0, 1]',
        'distribution: must be one of "uniform", "er", "erk"',
      ]),
    );
  });

  it('says in words what a number field wants, where the schema has no message of its own', () => {
    expect(issuesOf(() => resolveRunConfig({ epochs: 1.5 }))).toEqual(['epochs: must be a whole number']);
    expect(issuesOf(() => resolveRunConfig({ batchSize: 'x' }))).toEqual(['batchSize: must be a number']);
    expect(issuesOf(() => resolveRunConfig({ trainSubset: -5 }))).toEqual(['trainSubset: must be at least 1']);
    expect(issuesOf(() => resolveRunConfig({ optimizer: { lr: -1 } }))).toEqual(['optimizer.lr: must be above 0']);
  });

  it('rejects unknown fields and a pruning window that ends before it starts', () => {
    expect(issuesOf(() => resolveRunConfig({ lerning_rate: 0.1 }))).toEqual([
      '(config): unknown field lerning_rate; the fields are dataset, model, method, sparsity, distribution, denseFirstLayer, layerSparsity, epochs, trainingMultiplier, batchSize, optimizer, lrSchedule, warmupSteps, labelSmoothing, dropout, widthMultiplier, validationFraction, augment, trainSubset, testSubset, seed, maskUpdate, pruning, backend, logEvery, checkpointEvery, keepCheckpoints',
    ]);
    // A field a letter or two off is named, in nested objects too.
    expect(issuesOf(() => resolveRunConfig({ sparsty: 0.9, optimizer: { nesterof: true } }))).toEqual([
      'optimizer: unknown field nesterof (did you mean nesterov?)',
      '(config): unknown field sparsty (did you mean sparsity?)',
    ]);
    expect(issuesOf(() => resolveRunConfig({ pruning: { startFraction: 0.5, endFraction: 0.4 } }))).toEqual([
      'pruning.endFraction: must be after pruning.startFraction',
    ]);
  });

  it('says which other field a message names, for a form to name it by its label', () => {
    let error: unknown;
    try {
      // As the New experiment form checks its grid.
      expandExperiment(parseExperimentSpec({ name: 'p', base: { pruning: { startFraction: 0.8, endFraction: 0.75 } }, grid: { method: ['pruning'] } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [issue] = (error as ConfigError).issues;
    // The message a config file and the CLI give is unchanged; the reference is beside it.
    expect(issue).toEqual({ path: expect.stringMatching(/pruning\.endFraction$/), message: 'must be after pruning.startFraction', refers: ['pruning.startFraction'] });
    const labels: Record<string, string> = { 'pruning.startFraction': 'Pruning start' };
    expect(issueInWords(issue!, (path) => labels[path] ?? path)).toBe('must be after Pruning start');
    // Issues that name no other field keep their words.
    expect(issueInWords({ path: 'epochs', message: 'must be at least 1' }, () => 'x')).toBe('must be at least 1');
  });

  it('rejects a WRN depth that is not 6n + 4', () => {
    expect(issuesOf(() => resolveRunConfig({ model: 'wrn-23-2' }))).toEqual([
      'model: wrn-23-2: depth must be 6n+4 with n >= 1 (e.g. 10, 16, 22, 28)',
    ]);
  });

  it('rejects a batch larger than the training data and overrides of unknown layers', () => {
    expect(issuesOf(() => resolveRunConfig({ model: 'mlp', trainSubset: 100, batchSize: 128 }))).toEqual([
      'batchSize: 128 is larger than the 90 training examples',
    ]);
    expect(issuesOf(() => resolveRunConfig({ model: 'mlp', layerSparsity: { conv1: 0.5 } }))).toEqual([
      'layerSparsity.conv1: no masked layer of mlp is called "conv1"',
    ]);
  });

  it('refuses a new run with a subset larger than its dataset, which would train and test on all of it', () => {
    const newRun = (input: RunConfigInput) => parseWith(newRunConfigSchema, resolveRunConfig(input));
    expect(issuesOf(() => newRun({ model: 'mlp', trainSubset: 100_000, testSubset: 20_000 }))).toEqual([
      'trainSubset: 100,000 is more than the 60,000 training examples of Fashion-MNIST; leave it out to use all of them',
      'testSubset: 20,000 is more than the 10,000 test examples of Fashion-MNIST; leave it out to use all of them',
    ]);
    expect(newRun({ model: 'mlp', trainSubset: 60_000, testSubset: 10_000 }).trainSubset).toBe(60_000);
    // Runs stored by older versions still read.
    expect(resolveRunConfig({ model: 'mlp', trainSubset: 100_000 }).trainSubset).toBe(100_000);
  });

  it('refuses a new run at a sparsity ER / ERK cannot reach with the first layer kept dense, naming the most it can, or a sparse method at 0', () => {
    const newRun = (input: RunConfigInput) => parseWith(newRunConfigSchema, resolveRunConfig(input));
    // fc1 holds 235,200 of LeNet-300-100's 266,200 weights. At 0.116 the layers keep 266,200 −
    // (27,283 + 3,480 + 116) = 235,321 ≥ 235,200; at 0.117, 266,200 − (27,518 + 3,510 + 117) = 235,055.
    const mlp = { model: 'mlp', method: 'rigl', denseFirstLayer: true } as const;
    expect(issuesOf(() => newRun({ ...mlp, sparsity: 0.9 }))).toEqual([
      'sparsity: 0.9 cannot be reached with fc1 kept dense: its 235200 weights are more than the 26620 of 266200 that this sparsity keeps; at most 0.116 can be (ERK, first layer dense)',
    ]);
    expect(issuesOf(() => newRun({ ...mlp, sparsity: 0.117 }))).toHaveLength(1);
    expect(newRun({ ...mlp, sparsity: 0.116 }).sparsity).toBe(0.116);
    // Uniform does not rebalance, and a dense run keeps every layer anyway.
    expect(newRun({ ...mlp, sparsity: 0.9, distribution: 'uniform' }).sparsity).toBe(0.9);
    expect(newRun({ ...mlp, sparsity: 0.9, method: 'dense' }).method).toBe('dense');
    expect(issuesOf(() => newRun({ method: 'static', sparsity: 0 }))).toEqual([
      'sparsity: 0 keeps every weight: a static run at 0 is a dense run; choose the dense method, or a sparsity above 0',
    ]);
    // A grid checks every run it makes.
    expect(issuesOf(() => expandExperiment(parseExperimentSpec({ name: 'x', grid: { method: ['dense', 'static'], sparsity: [0, 0.9] } })))).toEqual([
      'grid.sparsity: 0 keeps every weight: a static run at 0 is a dense run; choose the dense method, or a sparsity above 0',
    ]);
    // Runs stored by older versions still read.
    expect(resolveRunConfig({ ...mlp, sparsity: 0.9 }).sparsity).toBe(0.9);
    expect(resolveRunConfig({ method: 'static', sparsity: 0 }).sparsity).toBe(0);
  });
});

describe('experiment grids', () => {
  const spec = parseExperimentSpec({
    name: 'sweep',
    base: { dataset: 'fashion-mnist', model: 'mlp', epochs: 1 },
    grid: { method: ['dense', 'static', 'rigl'], sparsity: [0.8, 0.9], seed: [0, 1] },
  });

  it('crosses every axis and keeps one dense run per seed', () => {
    const runs = expandExperiment(spec);
    expect(runs).toHaveLength(2 + 2 * 2 + 2 * 2);
    expect(runs.filter((r) => r.method === 'dense').map((r) => [r.sparsity, r.seed])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(runs.filter((r) => r.method === 'rigl').map((r) => [r.sparsity, r.seed])).toEqual([
      [0.8, 0],
      [0.8, 1],
      [0.9, 0],
      [0.9, 1],
    ]);
  });

  it('sweeps method hyper-parameters only for the methods that read them', () => {
    const runs = expandExperiment(
      parseExperimentSpec({ name: 'alpha', base: { model: 'mlp' }, grid: { method: ['static', 'rigl'], alpha: [0.1, 0.3, 0.5] } }),
    );
    expect(runs.filter((r) => r.method === 'static')).toHaveLength(1);
    expect(runs.filter((r) => r.method === 'rigl').map((r) => r.maskUpdate.alpha)).toEqual([0.1, 0.3, 0.5]);
  });

  it('names bad grid values and unknown axes', () => {
    expect(issuesOf(() => parseExperimentSpec({ name: 'x', grid: { sparsity: [0.5, 1.2] } }))).toEqual([
      'grid.sparsity.1: must be a fraction below 1, e.g. 0.9 for 90% (1 would remove every weight)',
    ]);
    expect(issuesOf(() => parseExperimentSpec({ name: 'x', grid: { colour: ['red'] } }))).toEqual([
      'grid: unknown field colour; the fields are method, sparsity, distribution, seed, alpha, deltaT, redistribution, trainingMultiplier, widthMultiplier, lr, weightDecay, epochs, batchSize',
    ]);
    expect(issuesOf(() => parseExperimentSpec({ name: '  ' }))).toEqual(['name: must not be empty']);
    expect(issuesOf(() => parseExperimentSpec({ name: 'x', grid: { sparsity: [0.9, 0.8, 0.9] } }))).toEqual(['grid.sparsity: lists 0.9 twice']);
  });
});

describe('seeded random numbers', () => {
  it('repeats for a seed and differs across seeds and streams', () => {
    const a = new Random(42);
    const b = new Random(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(new Random(43).nextUint32()).not.toBe(xs[0]);
    expect(Random.derive(42, 1).nextUint32()).not.toBe(Random.derive(42, 2).nextUint32());
  });

  it('restores from its state', () => {
    const a = new Random(7);
    a.next();
    const saved = a.state();
    const next = [a.next(), a.next()];
    const b = new Random(saved);
    expect([b.next(), b.next()]).toEqual(next);
  });

  it('samples exactly k distinct sorted indices, uniformly', () => {
    const rng = new Random(1);
    const counts = new Array(10).fill(0);
    for (let trial = 0; trial < 2000; trial++) {
      const s = rng.sample(10, 3);
      expect(new Set(s).size).toBe(3);
      expect([...s]).toEqual([...s].sort((x, y) => x - y));
      for (const i of s) counts[i]++;
    }
    // Each index expected 600 times; a fair sampler stays within ±15%.
    for (const c of counts) expect(Math.abs(c - 600)).toBeLessThan(90);
  });

  it('normal draws have mean 0 and variance 1', () => {
    const rng = new Random(3);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
