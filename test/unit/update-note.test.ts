import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { planRun } from '../../src-shared/plan.js';
import { missingUpdateNotes, oneShotPruningNotes, scheduleNotes } from '../../src-shared/report/update-note.js';

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

describe('oneShotPruningNotes', () => {
  it('names a pruning window no longer than its frequency, where the last event prunes everything', () => {
    const run = planned({ method: 'pruning', pruning: { frequency: 100 } });
    expect(planRun(run).pruning).toEqual({ startStep: 2, endStep: 32, frequency: 100 });
    const note =
      'Pruning prunes all at once: its events come every 100 steps from step 2 to step 32 (5%–75% of 42 steps), so only the one at step 32 prunes, ' +
      'taking each layer to its final sparsity in one go (one-shot, not gradual, pruning). Prune more often, widen the window or train longer.';
    expect(oneShotPruningNotes([run, planned({ method: 'pruning', seed: 1, pruning: { frequency: 100 } }), planned({ method: 'rigl' })])).toEqual([note]);
    // 2 + 30 = 32: the event after the first is the last, still the only one that prunes.
    expect(oneShotPruningNotes([planned({ method: 'pruning', pruning: { frequency: 30 } })])).toHaveLength(1);
  });

  it('says nothing of a window with two events that prune or more', () => {
    // Events at 2, 31 and 32.
    expect(oneShotPruningNotes([planned({ method: 'pruning', pruning: { frequency: 29 } })])).toEqual([]);
  });

  it('comes after the missing-update notes among the schedule notes', () => {
    const notes = scheduleNotes([planned({ method: 'pruning', pruning: { frequency: 100 } }), planned({ method: 'rigl' })]);
    expect(notes.map((n) => n.split(':')[0])).toEqual(['RigL makes no mask update', 'Pruning prunes all at once']);
  });
});
