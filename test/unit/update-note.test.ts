import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { planRun } from '../../src-shared/plan.js';
import { missingUpdateNotes } from '../../src-shared/report/update-note.js';

const planned = (fields: object) => resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp', trainSubset: 3000, epochs: 2, batchSize: 128, ...fields });

describe('missingUpdateNotes', () => {
  it('names the drop/grow methods of a run too short for its first update, with the steps', () => {
    // 3000 examples less 10% validation = 2700; ⌊2700 / 128⌋ = 21 steps × 2 epochs = 42; T_end = round(0.75 · 42) = 32 < ΔT = 100.
    const runs = [planned({ method: 'rigl' }), planned({ method: 'rigl', seed: 1 }), planned({ method: 'set' }), planned({ method: 'static' }), planned({ method: 'dense' })];
    expect(planRun(runs[0]!).totalSteps).toBe(42);
    expect(missingUpdateNotes(runs)).toEqual([
      'RigL and SET make no mask update: updates stop at step 32 (75% of 42 steps), before the first at ΔT = 100, so they train their first mask throughout, as Static does. Lower ΔT, raise T_end or train longer.',
    ]);
  });

  it('lists three methods as a sentence does', () => {
    const runs = [planned({ method: 'set' }), planned({ method: 'snfs' }), planned({ method: 'rigl' })];
    expect(missingUpdateNotes(runs)[0]).toMatch(/^SET, SNFS and RigL make no mask update: /);
  });

  it('says nothing of runs that update at least once', () => {
    // T_end = 32 > ΔT = 30: one update, at step 30.
    expect(missingUpdateNotes([planned({ method: 'rigl', maskUpdate: { deltaT: 30 } })])).toEqual([]);
    expect(missingUpdateNotes([planned({ method: 'rigl', maskUpdate: { deltaT: 32 } })])).toEqual([
      'RigL makes no mask update: updates stop at step 32 (75% of 42 steps), before the first at ΔT = 32, so it trains its first mask throughout, as Static does. Lower ΔT, raise T_end or train longer.',
    ]);
  });
});
