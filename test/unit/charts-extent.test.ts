import { describe, expect, it } from 'vitest';
import { niceStep, paddedExtent, tickValues } from '../../src-shared/charts/extent.js';

describe('axis extents', () => {
  it('take tick steps of 1, 2 or 5 times a power of ten', () => {
    expect([0.00025, 0.0003, 0.0007, 0.007, 0.02, 3, 51].map(niceStep)).toEqual([0.0005, 0.0005, 0.001, 0.01, 0.02, 5, 100]);
    expect(niceStep(0.001)).toBe(0.001);
  });

  it('leave room past two close values, ends on whole steps', () => {
    // 85.34% and 85.42%: span 0.0008, 12% of it each side → [0.853304, 0.854296]; step ≥ 0.000992 / 4 → 0.0005.
    expect(paddedExtent([0.8534, 0.8542])).toEqual({ min: 0.853, max: 0.8545, step: 0.0005 });
    expect(tickValues({ min: 0.853, max: 0.8545, step: 0.0005 })).toEqual([0.853, 0.8535, 0.854, 0.8545]);
  });

  it('give a lone value a range of its own size', () => {
    // 69.49% ± 2% of it (0.013898) → [0.681, 0.7088]; step ≥ 0.0278 / 4 → 0.01.
    expect(paddedExtent([0.6949])).toEqual({ min: 0.68, max: 0.71, step: 0.01 });
    expect(paddedExtent([0, 0])).toEqual({ min: -0.001, max: 0.001, step: 0.0005 });
  });

  it('stop their room at the limits of what the axis shows, unless a value lies past them', () => {
    const accuracy = { min: 0, max: 1 };
    // 99%: [0.9702, 1.0098] → 0.97–1.01 in steps of 0.01, then no 101% tick.
    expect(paddedExtent([0.99])).toEqual({ min: 0.97, max: 1.01, step: 0.01 });
    expect(paddedExtent([0.99], 4, accuracy)).toEqual({ min: 0.97, max: 1, step: 0.01 });
    expect(paddedExtent([0.96, 1], 4, accuracy)).toEqual({ min: 0.94, max: 1, step: 0.02 });
    expect(paddedExtent([0, 0.05], 4, accuracy)).toEqual({ min: 0, max: 0.06, step: 0.02 });
    // A mean − std below 0 keeps its room below it.
    expect(paddedExtent([-0.01, 0.05], 4, accuracy)).toEqual(paddedExtent([-0.01, 0.05]));
  });

  it('ignore values that are not finite, and give none without any', () => {
    expect(paddedExtent([Number.NaN, 0.5, Number.POSITIVE_INFINITY, 0.7])).toEqual(paddedExtent([0.5, 0.7]));
    expect(paddedExtent([Number.NaN])).toBeNull();
    expect(paddedExtent([])).toBeNull();
  });
});
