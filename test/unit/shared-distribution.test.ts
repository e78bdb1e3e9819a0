import { describe, expect, it } from 'vitest';
import { buildModelSpec, maskedLayers } from '../../src-shared/models/index.js';
import { floorCount } from '../../src-shared/sparsity/counts.js';
import { allocateDensities } from '../../src-shared/sparsity/distribution.js';

const mlp = maskedLayers(buildModelSpec('mlp', 'fashion-mnist'));
const wrn = maskedLayers(buildModelSpec('wrn-22-2', 'cifar10'));
const byName = (alloc: Array<{ name: string; density: number }>, name: string) => alloc.find((a) => a.name === name)!.density;

describe('check values of the spec', () => {
  it('LeNet-300-100 has 266,200 masked weights in three kernels', () => {
    expect(mlp.map((l) => l.shape)).toEqual([[784, 300], [300, 100], [100, 10]]);
    expect(mlp.reduce((a, l) => a + l.params, 0)).toBe(266200);
  });

  it('WRN-22-2 on CIFAR-10 has 1,076,912 masked weights in 23 kernels', () => {
    expect(wrn).toHaveLength(23);
    expect(wrn.reduce((a, l) => a + l.params, 0)).toBe(1076912);
  });

  it('LeNet-300-100 ERK at 0.9: 0.0796 / 0.2302 / 1.0', () => {
    // By hand: fc3 overflows (ε·r3 = 1.84 > 1) and joins D; then
    // rhs = 23520 + 3000 − 900 = 25620, Σ r·N = 1084 + 400 = 1484, ε = 17.264.
    const alloc = allocateDensities(mlp, { sparsity: 0.9, distribution: 'erk' });
    expect(alloc.map((a) => a.density)).toEqual([
      expect.closeTo((25620 / 1484) * (1084 / 235200), 12),
      expect.closeTo((25620 / 1484) * (400 / 30000), 12),
      1,
    ]);
    expect(alloc.map((a) => Number(a.density.toFixed(4)))).toEqual([0.0796, 0.2302, 1]);
    expect(alloc.map((a) => a.active)).toEqual([18714, 6906, 1000]);
  });
});

describe('uniform', () => {
  it('keeps N − ⌊s·N⌋ in every layer', () => {
    const alloc = allocateDensities(mlp, { sparsity: 0.9, distribution: 'uniform' });
    expect(alloc.map((a) => a.active)).toEqual([23520, 3000, 100]);
  });

  it('denseFirstLayer keeps the first kernel dense and the others at the target', () => {
    const alloc = allocateDensities(wrn, { sparsity: 0.8, distribution: 'uniform', denseFirstLayer: true });
    expect(alloc[0]!.density).toBe(1);
    expect(alloc[1]!.active).toBe(4608 - 3686);
    expect(alloc.slice(1).map((a) => a.active)).toEqual(wrn.slice(1).map((l) => l.params - floorCount(0.8, l.params)));
  });
});

describe('ERK and ER on WRN-22-2 (reference values from an independent implementation)', () => {
  const cases: Array<[number, 'erk' | 'er', Record<string, number>]> = [
    [0.5, 'erk', { conv1: 1, 'group1.block1.conv2': 1, 'group3.block3.conv2': 0.372714, fc: 1 }],
    [0.8, 'erk', { conv1: 1, 'group1.block1.conv1': 0.886027, 'group1.block1.conv2': 0.574277, 'group3.block3.conv2': 0.13434 }],
    [0.9, 'erk', { 'group1.block1.conv1': 0.42115, 'group1.block1.conv2': 0.272968, 'group1.block1.shortcut': 1, 'group3.block3.conv2': 0.063855 }],
    [0.95, 'erk', { 'group1.block1.conv1': 0.20331, 'group1.block1.conv2': 0.131775, 'group3.block3.conv2': 0.030826, fc: 1 }],
    [0.8, 'er', { conv1: 1, 'group1.block1.conv1': 0.851838, 'group3.block3.conv2': 0.141973, fc: 0.979614 }],
    [0.9, 'er', { 'group1.block1.shortcut': 0.425081, 'group3.block3.conv2': 0.070847, fc: 0.488843 }],
    [0.95, 'er', { conv1: 0.894608, 'group1.block1.conv1': 0.211881, 'group3.block3.conv2': 0.035313, fc: 0.243663 }],
  ];
  for (const [sparsity, distribution, expected] of cases) {
    it(`${distribution} at ${sparsity}`, () => {
      const alloc = allocateDensities(wrn, { sparsity, distribution });
      for (const [name, density] of Object.entries(expected)) expect(byName(alloc, name), name).toBeCloseTo(density, 5);
      // Same total active weights as uniform, up to one rounding per layer.
      const target = wrn.reduce((a, l) => a + l.params - floorCount(sparsity, l.params), 0);
      const total = alloc.reduce((a, l) => a + l.active, 0);
      expect(Math.abs(total - target)).toBeLessThanOrEqual(wrn.length);
      expect(alloc.every((a) => a.density <= 1 && a.density > 0)).toBe(true);
    });
  }

  it('ER scores a conv kernel by its last two dimensions only, ERK by all four', () => {
    const layers = [
      { name: 'a', shape: [3, 3, 16, 32] },
      { name: 'b', shape: [1, 1, 16, 32] },
    ];
    const er = allocateDensities(layers, { sparsity: 0.5, distribution: 'er' });
    expect(er[0]!.density).toBeCloseTo(er[1]!.density, 12);
    const erk = allocateDensities(layers, { sparsity: 0.5, distribution: 'erk' });
    expect(erk[1]!.density).toBeGreaterThan(erk[0]!.density);
  });
});

describe('overrides', () => {
  it('honours a layer override and leaves it out of the solve', () => {
    const alloc = allocateDensities(mlp, { sparsity: 0.9, distribution: 'erk', overrides: { fc1: 0.5 } });
    expect(alloc[0]!.active).toBe(117600);
    // fc2 and fc3 alone share rhs = 3000 + 100 = 3100 over Σ r·N = 400 + 110 = 510: ε = 6.0784,
    // and fc3 (ε·0.11 = 0.669) no longer overflows.
    expect(alloc[1]!.density).toBeCloseTo((3100 / 510) * (400 / 30000), 12);
    expect(alloc[2]!.density).toBeCloseTo((3100 / 510) * 0.11, 12);
  });

  it('rejects an override for a layer that does not exist, naming the layers', () => {
    expect(() => allocateDensities(mlp, { sparsity: 0.9, distribution: 'erk', overrides: { fc9: 0.5 } })).toThrow(/fc9.*fc1, fc2, fc3/);
  });

  it('rejects sparsity outside [0, 1)', () => {
    expect(() => allocateDensities(mlp, { sparsity: 1, distribution: 'uniform' })).toThrow(/\[0, 1\)/);
    expect(() => allocateDensities(mlp, { sparsity: -0.1, distribution: 'uniform' })).toThrow(/\[0, 1\)/);
  });
});

describe('floorCount', () => {
  it('reads 0.9 · 235200 as 211680 despite binary rounding', () => {
    expect(floorCount(0.9, 235200)).toBe(211680);
    expect(floorCount(0.95, 1000)).toBe(950);
    expect(floorCount(0.9, 7)).toBe(6);
    expect(floorCount(0.5, 3)).toBe(1);
  });
});
