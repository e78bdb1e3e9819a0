import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/api/records.js';
import { rigl } from '../helpers/cli.js';

/**
 * `rigl-lab report` on a database of real runs: a small method comparison (dense, static and
 * RigL at 90%, two seeds, with Small-Dense baselines) trained by `rigl-lab run --config`.
 */
const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-report-'));
const db = join(dir, 'runs.sqlite');
const dataDir = join(dir, 'data');

function parseCsv(text: string): string[][] {
  return text.trim().split('\n').map((line) => line.split(','));
}

describe('rigl-lab report', () => {
  let runs: RunRecord[];

  beforeAll(async () => {
    const spec = join(dir, 'methods.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'small methods',
        base: { dataset: 'fashion-mnist', model: 'mlp', epochs: 1, trainSubset: 1200, testSubset: 400, batchSize: 100, distribution: 'uniform', maskUpdate: { deltaT: 3 } },
        grid: { method: ['dense', 'static', 'rigl'], sparsity: [0.9], seed: [0, 1] },
        derived: { smallDense: true },
      }),
    );
    const trained = await rigl(['run', '--config', spec, '--db', db, '--data-dir', dataDir]);
    expect(trained.code, trained.stderr).toBe(0);
    runs = JSON.parse((await rigl(['list', '--json', '--db', db])).stdout) as RunRecord[];
  }, 300_000);

  it('writes the page, one CSV per table and one SVG per figure, with the runs’ numbers', async () => {
    expect(runs).toHaveLength(8);
    const out = join(dir, 'report');
    const r = await rigl(['report', '1', '--db', db, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(out, 'index.html'));
    expect(readdirSync(out).sort()).toEqual(['accuracy-vs-flops.svg', 'accuracy-vs-sparsity.svg', 'index.html', 'summary.csv']);

    const [header, ...rows] = parseCsv(readFileSync(join(out, 'summary.csv'), 'utf8'));
    const col = (name: string) => header!.indexOf(name);
    expect(rows.map((row) => row[col('method')])).toEqual(['Dense', 'Small-Dense', 'Static', 'RigL']);
    // Each mean is the two seeds' final accuracies averaged, as `rigl-lab list` reports them.
    for (const [label, method, wide] of [['Static', 'static', false], ['RigL', 'rigl', false], ['Small-Dense', 'dense', true]] as const) {
      const accuracies = runs.filter((run) => run.config.method === method && (run.config.widthMultiplier < 1) === wide).map((run) => run.testAccuracy as number);
      expect(accuracies).toHaveLength(2);
      const row = rows.find((x) => x[col('method')] === label)!;
      const mean = (accuracies[0]! + accuracies[1]!) / 2;
      expect(Number(row[col('test_accuracy_mean')])).toBeCloseTo(mean, 10);
      expect(Number(row[col('test_accuracy_std')])).toBeCloseTo(Math.abs(accuracies[0]! - accuracies[1]!) / Math.SQRT2, 10);
      expect(row[col('seeds')]).toBe('0 1');
    }

    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('Method comparison over sparsity');
    expect(html).not.toMatch(/<script/);
    const svg = readFileSync(join(out, 'accuracy-vs-sparsity.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*Small-Dense[\s\S]*RigL[\s\S]*<\/svg>$/);
  });

  it('names the experiment or the flag that is wrong, with exit code 2', async () => {
    const unknown = await rigl(['report', '7', '--db', db, '--out', join(dir, 'never')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`EXPERIMENT: no experiment 7 in ${db}; it holds 1 (small methods)`);
    expect(readdirSync(dir)).not.toContain('never');

    const notId = await rigl(['report', 'methods', '--db', db]);
    expect(notId.code).toBe(2);
    expect(notId.stderr).toContain('EXPERIMENT: "methods" is not an experiment id');
    expect((await rigl(['report', '--db', db])).stderr).toContain('EXPERIMENT: missing');
    const accuracy = await rigl(['report', '1', '--accuracy', 'mean', '--db', db]);
    expect(accuracy.code).toBe(2);
    expect(accuracy.stderr).toContain('--accuracy: must be final or best, got "mean"');
    const noDb = await rigl(['report', '1', '--db', join(dir, 'missing.sqlite')]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain(`--db: no database at ${join(dir, 'missing.sqlite')}`);
    const file = join(dir, 'taken.csv');
    writeFileSync(file, 'kept');
    const onFile = await rigl(['report', '1', '--db', db, '--out', file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain(`--out: ${file} is a file; the report needs a folder there (or a new name)`);
    expect(readFileSync(file, 'utf8')).toBe('kept');
    const under = await rigl(['report', '1', '--db', db, '--out', join(file, 'sub')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toContain(`--out: ${file} is a file; the report needs a folder at ${join(file, 'sub')} (or a new name)`);
  });
});
