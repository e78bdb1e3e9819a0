import { describe, expect, it } from 'vitest';
import { epochLine, maskUpdateLine } from '../../src-main/runner/log-lines.js';

const epoch = { epoch: 2, step: 1300, trainLoss: 0.51234, trainAccuracy: 0.812, valLoss: null, valAccuracy: null, testLoss: 0.43124, testAccuracy: 0.8421, lr: 0.1, trainFlops: 1e12, seconds: 75 };

describe('run log lines', () => {
  it('say per epoch the test accuracy and loss, the training ones and the time', () => {
    expect(epochLine(epoch, 3)).toBe(
      'epoch 2 of 3 (step 1,300): test accuracy 84.21%, test loss 0.4312; train accuracy 81.20%, train loss 0.5123; 1 m 15 s',
    );
    expect(epochLine({ ...epoch, valLoss: 0.5, valAccuracy: 0.8 }, 3)).toContain('test loss 0.4312, validation accuracy 80.00%;');
  });

  it('sum a drop-and-grow update and name the layers that changed most, by share of their weights', () => {
    const line = maskUpdateLine({
      step: 1300,
      kind: 'drop-grow',
      layers: [
        { layer: 'fc1', active: 20000, dropped: 1000, grown: 1200 }, // 5%
        { layer: 'fc2', active: 1000, dropped: 100, grown: 0 }, // 10%
        { layer: 'fc3', active: 100, dropped: 2, grown: 2 }, // 2%
        { layer: 'fc4', active: 400, dropped: 4, grown: 4 }, // 1%
        { layer: 'fc5', active: 50, dropped: 0, grown: 0 },
      ],
    });
    // 1,106 of 21,550 is 5.13%.
    expect(line).toBe(
      'mask update at step 1,300: dropped 1,106 and grew 1,206 of 21,550 active weights (5.1%); ' +
        'most in fc2 −100 +0 (10.0%), fc1 −1,000 +1,200 (5.0%), fc3 −2 +2 (2.0%), 1 more',
    );
  });

  it('put the larger layer first where the shares shown are equal (they differ only by rounding)', () => {
    const line = maskUpdateLine({
      step: 200,
      kind: 'drop-grow',
      layers: [
        { layer: 'conv1', active: 432, dropped: 129, grown: 129 }, // 29.86%
        { layer: 'fc1', active: 23520, dropped: 7021, grown: 7021 }, // 29.85%
        { layer: 'fc2', active: 6660, dropped: 1990, grown: 1990 }, // 29.88%
      ],
    });
    expect(line).toContain('most in fc1 −7,021 +7,021 (29.9%), fc2 −1,990 +1,990 (29.9%), conv1 −129 +129 (29.9%)');
  });

  it('word a pruning event, and an update that changed nothing', () => {
    const layers = [
      { layer: 'conv1', active: 300, dropped: 100, grown: 0 },
      { layer: 'fc', active: 900, dropped: 100, grown: 0 },
    ];
    expect(maskUpdateLine({ step: 40, kind: 'prune', layers })).toBe('pruning at step 40: pruned 200 weights, 1,200 remain; most in conv1 −100, fc −100');
    expect(maskUpdateLine({ step: 50, kind: 'drop-grow', layers: [{ layer: 'fc', active: 900, dropped: 0, grown: 0 }] })).toBe('mask update at step 50: no weight changed');
  });
});
