import { describe, expect, it } from 'vitest';
import { withLivePoints } from '../../src-shared/api/live-series.js';

const at = (...steps: number[]) => steps.map((step) => ({ step, epoch: step / 100, value: step / 1000 }));

describe('a run page reloaded while the run trains', () => {
  it('keeps the live points past what the store has, and takes the stored ones up to there', () => {
    // Stored up to step 800 (a batch not yet written); drawn live up to 900.
    const stored = new Map([['train_loss', at(50, 800)], ['test_accuracy', at(468)]]);
    const drawn = new Map([['train_loss', at(50, 850, 900)], ['lr', at(850, 900)]]);
    expect(withLivePoints(stored, drawn)).toEqual(
      new Map([
        ['train_loss', at(50, 800, 850, 900)],
        ['test_accuracy', at(468)],
        ['lr', at(850, 900)],
      ]),
    );
  });

  it('adds nothing once the store has caught up', () => {
    const stored = new Map([['train_loss', at(50, 800, 850, 900)]]);
    expect(withLivePoints(stored, new Map([['train_loss', at(850, 900)]]))).toEqual(stored);
  });
});
