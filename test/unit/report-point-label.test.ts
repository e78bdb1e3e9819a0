import { describe, expect, it } from 'vitest';
import { recipeDefaults, type RunConfig } from '../../src-shared/config/run.js';
import { pointLabel } from '../../src-shared/report/labels.js';

const config = (change: Partial<RunConfig>): RunConfig => ({ ...recipeDefaults('fashion-mnist', 'mlp'), ...change });

describe('pointLabel: what a grid point is, as the preview captions it', () => {
  it('names a sparse run by method, distribution and sparsity', () => {
    expect(pointLabel(config({ method: 'rigl', distribution: 'erk', sparsity: 0.9 }))).toBe('RigL · ERK · 90%');
    expect(pointLabel(config({ method: 'static', distribution: 'uniform', sparsity: 0.8 }))).toBe('Static · uniform · 80%');
  });

  it('names a dense run by its method alone: it has no distribution or sparsity', () => {
    // The config still carries the recipe's distribution (ERK): "Dense · ERK · dense" said it used one.
    expect(pointLabel(config({ method: 'dense' }))).toBe('Dense');
    expect(pointLabel(config({ method: 'dense', widthMultiplier: 0.5 }))).toBe('Small-Dense');
  });
});
