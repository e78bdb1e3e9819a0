import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunFlags } from '../../src-main/cli/commands/run.js';
import { ordinal } from '../../src-shared/report/format.js';

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

describe('rigl-lab run: what a --config file and --name make', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-config-'));
  const write = (name: string, content: object): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const base = { dataset: 'fashion-mnist', model: 'mlp', sparsity: 0.9, epochs: 1 };
  const grid = write('grid.json', { name: 'Two methods', tags: ['sweep'], base, grid: { method: ['static', 'set'] } });
  const single = write('single.json', { name: 'One file run', tags: ['x', 'y'], base: { ...base, method: 'rigl' } });
  const unnamed = write('unnamed.json', { base: { ...base, method: 'rigl' } });

  it('keeps a grid file an experiment, named by --name over the file, when flags narrow it to one run', () => {
    const narrowed = resolveRunFlags(['--config', grid, '--method', 'static']);
    // Named by the file and the flags over it, apart from the file's own experiment.
    expect([narrowed.experiment, narrowed.spec.name, narrowed.spec.tags, narrowed.configs.length]).toEqual([true, 'Two methods (with --method static)', ['sweep'], 1]);
    expect(resolveRunFlags(['--config', grid]).spec.name).toBe('Two methods');
    // A grid of one value is a grid too: narrowed by the flag over its axis, it stays an experiment.
    const ofOne = write('grid-of-one.json', { name: 'One method', base, grid: { method: ['static'] } });
    expect(resolveRunFlags(['--config', ofOne, '--method', 'static']).experiment).toBe(true);
    const renamed = resolveRunFlags(['--config', grid, '--method', 'static', '--name', 'narrowed']);
    expect([renamed.experiment, renamed.spec.name, renamed.spec.tags]).toEqual([true, 'narrowed', ['sweep']]);
  });

  it('sweeps epochs and batch sizes from comma lists too, as a grid in a config file does; a bad value of a list is quoted with its place', () => {
    expect(resolveRunFlags(['--method', 'static', '--epochs', '1,2', '--batch-size', '50,100']).configs.map((c) => [c.epochs, c.batchSize])).toEqual([
      [1, 50],
      [1, 100],
      [2, 50],
      [2, 100],
    ]);
    expect(() => resolveRunFlags(['--lr', '0.05,1000'])).toThrow('--lr 1000 (2nd in its list): must be at most 100');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
  });

  it('names a grid of flags by its swept axes, its method, and the other flags typed, so that grids differing in one flag differ in name', () => {
    const name = (args: string[]) => resolveRunFlags(args).spec.name;
    expect(name(['--method', 'rigl,static', '--sparsity', '0.8'])).toBe('Fashion-MNIST · mlp: RigL, Static (with --sparsity 0.8)');
    expect(name(['--method', 'rigl,static', '--sparsity', '0.95', '--lr', '0.2'])).toBe('Fashion-MNIST · mlp: RigL, Static (with --sparsity 0.95 --lr 0.2)');
    // The method is said where it is not swept; the model and dataset are said by the name already, bookkeeping not at all.
    expect(name(['--model', 'mlp', '--method', 'rigl', '--seed', '0,1', '--alpha', '0.1,0.3', '--delta-t', '5,10', '--backend', 'wasm'])).toBe(
      'Fashion-MNIST · mlp: RigL × seeds 0, 1 × α 0.1, 0.3 × ΔT 5, 10',
    );
    expect(name(['--method', 'rigl,static', '--name', 'mine'])).toBe('mine');
  });

  it('makes a file without a grid a lone run with the file\'s name and tags, or --name', () => {
    expect(resolveRunFlags(['--config', single])).toMatchObject({ experiment: false, lone: { name: 'One file run', tags: ['x', 'y'] } });
    expect(resolveRunFlags(['--config', single, '--name', 'mine'])).toMatchObject({ experiment: false, lone: { name: 'mine', tags: ['x', 'y'] } });
    // As typed, in that order, booleans as flags; bookkeeping (backend, logging) changes nothing trained.
    expect(resolveRunFlags(['--config', single, '--epochs', '2', '--seed', '4', '--no-nesterov', '--backend', 'wasm', '--log-every', '10']).lone.name).toBe(
      'One file run (with --epochs 2 --seed 4 --no-nesterov)',
    );
    // Without a name of its own the run takes the default name (method, sparsity, model, seed).
    expect(resolveRunFlags(['--config', unnamed]).lone).toEqual({ name: undefined, tags: [] });
  });

  it('names the flags that made a valid file wrong, and the layer of a bad --layer-sparsity', () => {
    const pruning = write('pruning.json', { name: 'p', base: { ...base, method: 'pruning', pruning: { startFraction: 0.2, endFraction: 0.5 } } });
    expect(() => resolveRunFlags(['--config', pruning, '--prune-start', '0.7'])).toThrow(`${pruning} with --prune-start: pruning.endFraction`);
    expect(() => resolveRunFlags(['--config', pruning, '--prune-end', '0.1'])).toThrow(/^--prune-end: /);
    expect(() => resolveRunFlags(['--layer-sparsity', 'fc1=0.5,fc2=1.5'])).toThrow(/^--layer-sparsity fc2: must be a fraction below 1/);
    expect(() => resolveRunFlags(['--layer-sparsity', 'fc1=0.5,fc1=0.9'])).toThrow('--layer-sparsity: fc1 is given twice');
  });
});

describe('rigl-lab run: a bad flag value named as typed', () => {
  const refused = (args: string[]) => {
    try {
      resolveRunFlags(args);
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('says which value of a comma list is wrong, the choices of a schedule, and how to give a negative value', () => {
    expect(refused(['--sparsity', '0.9,1.2'])).toBe('--sparsity 1.2 (2nd in its list): must be a fraction below 1, e.g. 0.9 for 90% (1 would remove every weight)');
    expect(refused(['--lr-schedule', 'foo'])).toBe('--lr-schedule: must be one of "constant", "step", "cosine"');
    expect(refused(['--sparsity', '-0.1'])).toBe('--sparsity: a value that starts with "-" goes after an "=": --sparsity=-VALUE');
    // A field the message names is named by the flag that set it.
    expect(refused(['--method', 'pruning', '--prune-start', '0.8', '--prune-end', '0.75'])).toBe('--prune-end: must be after --prune-start');
  });
});
