import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunFlags } from '../../src-main/cli/commands/run.js';

describe('rigl-lab run flags over a --config file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'rigl-lab-flags-')), 'experiment.json');
  writeFileSync(
    file,
    JSON.stringify({ name: 'x', base: { dataset: 'fashion-mnist', model: 'mlp', sparsity: 0.9, epochs: 1 }, grid: { method: ['dense', 'rigl', 'static'], seed: [0, 1] } }),
  );
  const runs = (args: string[]) => resolveRunFlags(['--config', file, ...args]).configs.map((c) => `${c.method} ${c.seed} ${c.maskUpdate.alpha}`);

  it('expands the file alone', () => {
    expect(runs([])).toEqual(['dense 0 0.3', 'dense 1 0.3', 'rigl 0 0.3', 'rigl 1 0.3', 'static 0 0.3', 'static 1 0.3']);
  });

  it('lets a single value replace an axis of the file', () => {
    expect(runs(['--method', 'rigl'])).toEqual(['rigl 0 0.3', 'rigl 1 0.3']);
    expect(runs(['--method', 'rigl', '--seed', '3'])).toEqual(['rigl 3 0.3']);
  });

  it('lets a list replace an axis, and adds axes the file does not have', () => {
    expect(runs(['--method', 'rigl,set', '--alpha', '0.1,0.5', '--seed', '0'])).toEqual(['rigl 0 0.1', 'rigl 0 0.5', 'set 0 0.1', 'set 0 0.5']);
  });
});
