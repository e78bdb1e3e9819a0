import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { longWarmupNotes } from '../../src-shared/report/warmup-note.js';

describe('longWarmupNotes', () => {
  it('names a warm-up that takes the whole run, once per warm-up and length', () => {
    // 1,280 training examples in batches of 128: 10 steps an epoch, 2 epochs, 20 steps.
    const short = (method: 'dense' | 'rigl', warmupSteps: number) =>
      resolveRunConfig({ model: 'mlp', method, epochs: 2, trainSubset: 1280, batchSize: 128, validationFraction: 0, warmupSteps, optimizer: { lr: 0.05 } });
    expect(longWarmupNotes([short('dense', 100), short('rigl', 100)])).toEqual([
      // The last step's rate: 0.05 · 20/100.
      'A warm-up of 100 steps takes the whole run (20 steps): the learning rate rises from near 0 throughout, reaching 0.01 (of 0.05) only at the last step. Lower the warm-up or train longer.',
    ]);
    expect(longWarmupNotes([short('dense', 20)])[0]).toContain('reaching 0.05 (of 0.05) only at the last step');
    expect(longWarmupNotes([short('dense', 19), short('dense', 0)])).toEqual([]);
  });
});
