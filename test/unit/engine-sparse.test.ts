import { describe, expect, it } from 'vitest';
import { Random } from '../../src-shared/random.js';
import { sourcesOf } from '../../src-main/engine/nn/compressed-weights.js';
import { dropAndGrow } from '../../src-main/engine/sparse/dropgrow.js';
import { pruneGlobal, pruneLayerwise } from '../../src-main/engine/sparse/prune.js';
import { redistributeGrowth } from '../../src-main/engine/sparse/redistribute.js';
import { largestK, positions, smallestK } from '../../src-main/engine/sparse/select.js';

const u8 = (xs: number[]) => Uint8Array.from(xs);
const f32 = (xs: number[]) => Float32Array.from(xs);

describe('top-k selection', () => {
  it('picks the smallest / largest magnitudes and breaks ties by position', () => {
    const values = [5, -1, 3, 1, -9, 3];
    const all = Uint32Array.from([0, 1, 2, 3, 4, 5]);
    expect([...smallestK(values, all, 3)]).toEqual([1, 2, 3]);
    expect([...largestK(values, all, 2)]).toEqual([0, 4]);
    expect([...largestK(values, all, 3)]).toEqual([0, 2, 4]);
    expect([...smallestK(values, Uint32Array.from([2, 4, 5]), 1)]).toEqual([2]);
    expect([...smallestK(values, all, 0)]).toEqual([]);
  });

  it('agrees with a full sort on random data', () => {
    const rng = new Random(5);
    const values = Array.from({ length: 5000 }, () => Math.round(rng.normal() * 100) / 100);
    const all = Uint32Array.from(values.keys());
    const k = 777;
    const bySort = [...all].sort((a, b) => Math.abs(values[a]!) - Math.abs(values[b]!) || a - b).slice(0, k).sort((a, b) => a - b);
    expect([...smallestK(values, all, k)]).toEqual(bySort);
  });

  it('lists active and inactive positions', () => {
    expect([...positions(u8([1, 0, 0, 1]), true)]).toEqual([0, 3]);
    expect([...positions(u8([1, 0, 0, 1]), false)]).toEqual([1, 2]);
  });
});

describe('drop and grow', () => {
  const mask = u8([1, 1, 1, 1, 0, 0, 0, 0]);
  const weights = f32([0.5, -0.1, 0.3, -0.8, 0, 0, 0, 0]);

  it('RigL drops the smallest |w| and grows the largest |gradient| among the inactive', () => {
    const grad = f32([9, 9, 9, 9, 0.1, -0.7, 0.2, 0.05]);
    const r = dropAndGrow({ mask, weights, growScore: grad, drop: 2, grow: 2, criterion: 'gradient', rng: new Random(0) });
    // Dropped: positions 1 (|−0.1|) and 2 (0.3). Grown among {1, 2, 4..7}: |g| 9, 9 at positions 1, 2 again.
    expect([...r.mask]).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(r).toMatchObject({ dropped: 2, grown: 2, active: 4 });
    // Regrown positions keep their place among the old active ones (and so their values).
    expect([...r.positions]).toEqual([0, 1, 2, 3]);
    expect([...r.sources]).toEqual([0, 1, 2, 3]);
  });

  it('grows new positions when the dropped ones score low', () => {
    const grad = f32([9, 0, 0, 9, 0.1, -0.7, 0.2, 0.05]);
    const r = dropAndGrow({ mask, weights, growScore: grad, drop: 2, grow: 2, criterion: 'gradient', rng: new Random(0) });
    expect([...r.mask]).toEqual([1, 0, 0, 1, 0, 1, 1, 0]);
    expect([...r.positions]).toEqual([0, 3, 5, 6]);
    expect([...r.sources]).toEqual([0, 3, -1, -1]);
  });

  it('lists the new active positions and where each came from, whatever the order of drops and growth', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 50; trial++) {
      const size = 1 + rng.int(60);
      const mask = Uint8Array.from({ length: size }, () => (rng.next() < 0.4 ? 1 : 0));
      const active = positions(mask, true);
      const drop = rng.int(active.length + 1);
      const score = Float32Array.from({ length: size }, () => rng.next());
      const w = Float32Array.from({ length: size }, () => rng.normal());
      const r = dropAndGrow({ mask, weights: w, growScore: score, drop, grow: drop, criterion: 'gradient', rng });
      expect([...r.positions]).toEqual([...positions(r.mask, true)]);
      expect([...r.sources]).toEqual([...r.positions].map((p) => active.indexOf(p)));
      expect([...r.sources]).toEqual([...sourcesOf(active, r.positions, new Int32Array(r.positions.length))]);
    }
  });

  it('SET grows uniformly at random, keeping the active count', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const r = dropAndGrow({ mask, weights, growScore: null, drop: 2, grow: 2, criterion: 'random', rng: new Random(seed) });
      expect(r.mask.reduce((a, b) => a + b, 0)).toBe(4);
      expect(r.mask[0]).toBe(1);
      expect(r.mask[3]).toBe(1);
      seen.add(r.mask.join(''));
    }
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe('redistribution of the regrowth budget', () => {
  it('splits in proportion to the scores with whole counts that add up', () => {
    expect(redistributeGrowth(10, [1, 1, 2], [100, 100, 100])).toEqual([3, 2, 5]);
    expect(redistributeGrowth(9, [1, 2, 0], [100, 100, 100])).toEqual([3, 6, 0]);
  });

  it('caps a layer at its free capacity and spreads the overflow', () => {
    // Ideal 2/8 but layer 1 has room for 4: the 4 left go to layer 0.
    expect(redistributeGrowth(10, [1, 4], [100, 4])).toEqual([6, 4]);
    expect(redistributeGrowth(10, [1, 1], [3, 4])).toEqual([3, 4]);
  });
});

describe('magnitude pruning', () => {
  it('layerwise: each layer down to its own target', () => {
    const next = pruneLayerwise([
      { mask: u8([1, 1, 1, 1]), weights: f32([0.4, -0.1, 0.3, 0.2]), target: 2 },
      { mask: u8([1, 1, 0]), weights: f32([1, 2, 0]), target: 2 },
    ]);
    expect(next.map((m) => [...m])).toEqual([
      [1, 0, 1, 0],
      [1, 1, 0],
    ]);
  });

  it('global: ranks all layers together to meet the summed target', () => {
    const next = pruneGlobal([
      { mask: u8([1, 1, 1, 1]), weights: f32([0.4, -0.1, 0.3, 0.2]), target: 2 },
      { mask: u8([1, 1, 0]), weights: f32([0.05, 2, 0]), target: 1 },
    ]);
    // 6 active, target 3: remove 0.05, −0.1, 0.2.
    expect(next.map((m) => [...m])).toEqual([
      [1, 0, 1, 0],
      [0, 1, 0],
    ]);
  });
});
