import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/api/records.js';
import { groupRuns } from '../../src-shared/report/groups.js';
import { meanStd } from '../../src-shared/report/stats.js';
import { flopMultiple, meanStdPercent, sparsityLabel, times } from '../../src-shared/report/format.js';
import { variantOf } from '../../src-shared/report/variants.js';
import { runRecord } from './report-fixtures.js';

describe('mean ± std over seeds', () => {
  it('uses the sample standard deviation (n − 1)', () => {
    // deviations −0.02, 0, +0.02: (0.0004 + 0 + 0.0004) / 2 = 0.0004, std 0.02.
    const s = meanStd([0.8, 0.82, 0.84]);
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.82, 12);
    expect(s.std).toBeCloseTo(0.02, 12);
    // 0.7 and 0.9: mean 0.8, variance (0.01 + 0.01) / 1 = 0.02.
    expect(meanStd([0.7, 0.9]).std).toBeCloseTo(Math.sqrt(0.02), 12);
  });

  it('has no std for one value and skips unmeasured runs', () => {
    expect(meanStd([0.5])).toEqual({ mean: 0.5, std: null, n: 1 });
    expect(meanStd([null, Number.NaN, 0.6, 0.8])).toMatchObject({ n: 2 });
    expect(meanStd([null, Number.NaN, 0.6, 0.8]).mean).toBeCloseTo(0.7, 12);
    expect(meanStd([])).toEqual({ mean: null, std: null, n: 0 });
  });

  it('reads as the report writes it', () => {
    expect(meanStdPercent(0.82, 0.02, 3)).toBe('82.00 ± 2.00');
    expect(meanStdPercent(0.82, null, 1)).toBe('82.00');
    expect(times(0.3512)).toBe('0.35×');
    expect([0.0249, 0.1, 0.10249, 0.9996, 1, 3.14159, 12.34, null].map(flopMultiple)).toEqual(['0.0249×', '0.100×', '0.102×', '1.00×', '1.00×', '3.14×', '12.3×', '—']);
    expect(sparsityLabel(0.955)).toBe('95.5%');
  });
});

describe('groups of seeds', () => {
  it('puts runs that differ only in seed together, methods in their usual order', () => {
    const runs = [
      runRecord({ config: { method: 'rigl', sparsity: 0.9, seed: 1 }, testAccuracy: 0.82 }),
      runRecord({ config: { method: 'static', sparsity: 0.9, seed: 0 }, testAccuracy: 0.7 }),
      runRecord({ config: { method: 'rigl', sparsity: 0.9, seed: 0 }, testAccuracy: 0.8 }),
      runRecord({ config: { method: 'rigl', sparsity: 0.9, seed: 2 }, testAccuracy: 0.84 }),
      runRecord({ config: { method: 'dense', seed: 0 }, testAccuracy: 0.88 }),
    ];
    const groups = groupRuns(runs, 'final');
    expect(groups.map((g) => g.config.method)).toEqual(['dense', 'static', 'rigl']);
    const rigl = groups[2]!;
    expect(rigl.seeds).toEqual([0, 1, 2]);
    expect(rigl.accuracy.mean).toBeCloseTo(0.82, 12);
    expect(rigl.accuracy.std).toBeCloseTo(0.02, 12);
  });

  it('counts a seed re-run with the same config once: its newest completed run', () => {
    const rigl = (seed: number, testAccuracy: number | null, status: RunRecord['status'] = 'completed') =>
      runRecord({ config: { method: 'rigl', sparsity: 0.9, seed }, testAccuracy, status });
    // Seed 0 at 0.80 re-run to 0.81, seed 1 at 0.84, and seed 1 re-run again, still queued.
    const [group] = groupRuns([rigl(0, 0.8), rigl(1, 0.84), rigl(0, 0.81), rigl(1, null, 'queued')], 'final');
    expect(group!.seeds).toEqual([0, 1]);
    expect(group!.runs.map((r) => r.testAccuracy)).toEqual([0.84, 0.81]);
    // (0.81 + 0.84) / 2, and √((0.015² · 2) / 1) = 0.0212.
    expect(group!.accuracy.mean).toBeCloseTo(0.825, 12);
    expect(group!.accuracy.std).toBeCloseTo(0.0212132, 6);
  });

  it('names the report’s variants: Small-Dense, RigL-SM, RigL-SG', () => {
    const base = { config: { sparsity: 0.9 }, testAccuracy: 0.8 };
    expect(variantOf(runRecord({ ...base, config: { method: 'dense', widthMultiplier: 0.3 } }).config).label).toBe('Small-Dense');
    expect(variantOf(runRecord({ ...base, config: { method: 'rigl', maskUpdate: { redistribution: 'momentum' } } }).config).label).toBe('RigL-SM');
    expect(variantOf(runRecord({ ...base, config: { method: 'rigl', maskUpdate: { redistribution: 'gradient' } } }).config).label).toBe('RigL-SG');
    expect(variantOf(runRecord({ ...base, config: { method: 'rigl' } }).config).label).toBe('RigL');
  });
});
