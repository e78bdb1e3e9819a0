import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../src-main/cli/progress-bar.js';

const progress = (step: number) => ({ step, totalSteps: 100, epoch: step / 50, loss: 0.5, accuracy: 0.8, examplesPerSecond: 1000 });

describe('the terminal progress bar', () => {
  it('keeps an epoch line above itself and draws itself again at once', () => {
    const written: string[] = [];
    const bar = new ProgressBar((text) => written.push(text), '[1/1] RigL');
    bar.update(progress(50));
    bar.note('[1/1] RigL: epoch 1 test accuracy 85.20%');
    // Within 100 ms of the last draw, which alone would be skipped.
    bar.update(progress(51));
    expect(written).toHaveLength(3);
    expect(written[1]).toBe('\r\x1b[2K[1/1] RigL: epoch 1 test accuracy 85.20%\n');
    expect(written[2]).toMatch(/^\r\x1b\[2K\[1\/1\] RigL █+░+ {2}51% ep 1\.02 loss 0\.5000 acc 80\.0% 1000 img\/s ETA /);
    bar.update(progress(52));
    expect(written).toHaveLength(3);
  });
});
