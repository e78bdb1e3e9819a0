import { describe, expect, it } from 'vitest';
import { groupRuns } from '../../src-shared/report/groups.js';
import { seriesOfGroups } from '../../src-shared/report/series-style.js';
import { runRecord } from './report-fixtures.js';

const base = { dataset: 'fashion-mnist', model: 'mlp', epochs: 3, distribution: 'erk', method: 'rigl' } as const;

describe('series styles', () => {
  it('give the series of one method markers of their own, their tones being close', () => {
    const runs = (['none', 'momentum', 'gradient'] as const).flatMap((redistribution) =>
      [0.8, 0.9].map((sparsity) => runRecord({ config: { ...base, sparsity, maskUpdate: { redistribution } }, testAccuracy: 0.8 })),
    );
    runs.push(runRecord({ config: { ...base, method: 'static', sparsity: 0.9 }, testAccuracy: 0.7 }));
    const styles = [...new Map([...seriesOfGroups(groupRuns(runs, 'final'), ['sparsity']).values()].map((s) => [s.label, s.symbol]))];
    expect(styles).toEqual([
      ['Static', 'circle'],
      ['RigL', 'circle'],
      ['RigL-SM', 'triangle'],
      ['RigL-SG', 'rect'],
    ]);
  });
});
