import { describe, expect, it } from 'vitest';
import { recipeNote } from '../../src-shared/report/recipe.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { defaultRunName } from '../../src-main/store/run-name.js';
import { configLabel, labelFields } from '../../src-shared/report/labels.js';
import { runRecord } from './report-fixtures.js';

const quick = { dataset: 'fashion-mnist', model: 'mlp', epochs: 3, trainSubset: 8000, distribution: 'uniform' } as const;
// Fashion-MNIST's recipe: batch 128, SGD lr 0.05, momentum 0.9 (Nesterov), weight decay 1e-4, cosine lr, 10% held out.
const SHARED =
  'batch 128, the first 8,000 training examples, 10% of them held out for validation, tested on the first 500 test examples, ' +
  'SGD lr 0.05, momentum 0.9 (Nesterov), weight decay 0.0001, cosine lr.';

describe('the recipe every run shares', () => {
  const base = { ...quick, sparsity: 0.9, testSubset: 500, epochs: 2 } as const;
  const run = (config: object) => runRecord({ config: { ...base, ...config }, testAccuracy: 0.8 });

  it('lists what the figures do not show, and leaves out what varies', () => {
    const runs = [0.1, 0.3].map((alpha) => run({ method: 'rigl', maskUpdate: { alpha } }));
    // α varies between the RigL runs, the rest of their schedule does not.
    expect(recipeNote([...runs, run({ method: 'dense' })])).toBe(`Every run: 2 epochs, ${SHARED} RigL runs: mask updates every 100 steps, α decaying by cosine, until 75% of training.`);
    expect(recipeNote([])).toBeNull();
  });

  it('keeps what the runs share of a part of which some varies: the momentum of an lr sweep, the end of an α and ΔT sweep', () => {
    const lrs = [0.01, 0.1].map((lr) => run({ method: 'dense', optimizer: { lr } }));
    expect(recipeNote(lrs)).toContain(', SGD momentum 0.9 (Nesterov), weight decay 0.0001,');
    const momenta = [0.5, 0.9].map((momentum) => run({ method: 'dense', optimizer: { momentum, nesterov: false } }));
    expect(recipeNote(momenta)).toContain(', SGD lr 0.05, momentum (not Nesterov), weight decay 0.0001,');
    const sweep = [0.1, 0.5].flatMap((alpha) => [10, 100].map((deltaT) => run({ method: 'rigl', maskUpdate: { alpha, deltaT } })));
    expect(recipeNote(sweep)).toMatch(/ RigL runs: mask updates, α decaying by cosine, until 75% of training\.$/);
    const everything = [run({ method: 'rigl' }), run({ method: 'rigl', maskUpdate: { alpha: 0.5, deltaT: 10, schedule: 'constant', endFraction: 0.5 } })];
    expect(recipeNote(everything)).not.toContain('RigL runs');
  });

  it('says what the validation share is of where the runs trained on different subsets', () => {
    const note = recipeNote([run({ method: 'dense' }), run({ method: 'dense', trainSubset: 4000 })]);
    expect(note).toBe('Every run: 2 epochs, batch 128, 10% of the training examples held out for validation, tested on the first 500 test examples, ' +
      'SGD lr 0.05, momentum 0.9 (Nesterov), weight decay 0.0001, cosine lr.');
  });

  it('gives the mask-update and pruning schedules to the methods that have them only', () => {
    const runs = [run({ method: 'dense' }), run({ method: 'set' }), run({ method: 'rigl' }), run({ method: 'pruning', pruning: { frequency: 5 } })];
    expect(recipeNote(runs)).toBe(
      `Every run: 2 epochs, ${SHARED} ` +
        'SET and RigL runs: mask updates every 100 steps, α 0.3 (cosine), until 75% of training. ' +
        'Pruning runs: pruned layer by layer every 5 steps from 5% to 75% of training.',
    );
  });

  it('counts the epochs a longer run trains, and names the recipe’s length as 1× where lengths differ', () => {
    expect(recipeNote([run({ method: 'rigl', trainingMultiplier: 2 })])).toMatch(/^Every run: 4 epochs, /);
    expect(recipeNote([1, 2, 5].map((m) => run({ method: 'rigl', trainingMultiplier: m })))).toMatch(/^Every run: 2 epochs at 1×, batch 128, /);
  });
});

describe('layers set apart from the distribution', () => {
  const base = { ...quick, method: 'static', sparsity: 0.9 } as const;

  it('are said in the recipe when every sparse run shares them, and in a run’s default name', () => {
    const overridden = { ...base, layerSparsity: { fc1: 0.99 }, denseFirstLayer: false };
    const runs = [runRecord({ config: overridden, testAccuracy: 0.8 }), runRecord({ config: { ...overridden, method: 'rigl' }, testAccuracy: 0.8 })];
    expect(recipeNote(runs)).toContain(' Sparse runs: fc1 99%, the other layers by their distribution.');
    expect(defaultRunName(resolveRunConfig(overridden))).toBe('Static uniform 90% (fc1 99%) · mlp · seed 0');
    expect(defaultRunName(resolveRunConfig({ ...base, denseFirstLayer: true }))).toBe('Static uniform 90% (dense first layer) · mlp · seed 0');
    // The first layer's own sparsity wins over keeping it dense: the name says only what was done.
    expect(defaultRunName(resolveRunConfig({ ...overridden, denseFirstLayer: true }))).toBe('Static uniform 90% (fc1 99%) · mlp · seed 0');
    // Dense reads neither; a sparse run without them says nothing more.
    expect(defaultRunName(resolveRunConfig({ ...overridden, method: 'dense' }))).toBe('Dense · mlp · seed 0');
    expect(recipeNote([runRecord({ config: base, testAccuracy: 0.8 })])).not.toContain('Sparse runs');
    // Not shared, not said: the runs differ in it (and their labels say how).
    const differing = [runRecord({ config: overridden, testAccuracy: 0.8 }), runRecord({ config: { ...overridden, layerSparsity: { fc1: 0.95 } }, testAccuracy: 0.8 })];
    expect(recipeNote(differing)).not.toContain('Sparse runs');
    expect(recipeNote([runRecord({ config: overridden, testAccuracy: 0.8 }), runRecord({ config: base, testAccuracy: 0.8 })])).not.toContain('Sparse runs');
  });
});

describe('labels of runs whose layers differ', () => {
  it('name a layer by its own sparsity, or by the distribution where it has none', () => {
    const configs = [{ fc1: 0.99 }, {}, { fc1: 0.95 }].map((layerSparsity) => resolveRunConfig({ ...quick, method: 'static', sparsity: 0.9, layerSparsity }));
    const fields = labelFields(configs);
    expect(configs.map((c) => configLabel(c, fields, false))).toEqual(['Static · fc1 99%', 'Static · fc1 by the distribution', 'Static · fc1 95%']);
  });
});
