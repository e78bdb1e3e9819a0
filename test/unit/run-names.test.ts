import { describe, expect, it } from 'vitest';
import { distinctRunNames } from '../../src-shared/report/run-names.js';

describe('distinctRunNames', () => {
  it('adds the id to names that more than one run carries, and only to those', () => {
    const names = distinctRunNames([
      { id: 3, name: 'RigL uniform 90% · mlp · seed 0' },
      { id: 9, name: 'Dense · mlp · seed 0' },
      { id: 12, name: 'RigL uniform 90% · mlp · seed 0' },
    ]);
    expect([...names]).toEqual([
      [3, 'RigL uniform 90% · mlp · seed 0 #3'],
      [9, 'Dense · mlp · seed 0'],
      [12, 'RigL uniform 90% · mlp · seed 0 #12'],
    ]);
  });
});
