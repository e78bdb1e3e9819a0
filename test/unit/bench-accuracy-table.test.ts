import { describe, expect, it } from 'vitest';
import { accuracyTable, type AccuracyRow } from '../bench/accuracy.js';

function row(path: AccuracyRow['path'], seed: number, testAccuracy: number, seconds: number): AccuracyRow {
  const method = path === 'dense' ? 'dense' : 'rigl';
  return { kind: 'accuracy', model: 'mlp', method, backend: 'wasm', sparsity: method === 'dense' ? 0 : 0.9, batch: 128, path, seed, epochs: 15, testAccuracy, seconds, msPerStep: (seconds * 1000) / 6330 };
}

describe('bench --accuracy table', () => {
  // Hand-checked: dense 0.895/0.897 → mean 89.60, sd √((0.001² + 0.001²)/1) = 0.14 points;
  // compressed 0.888/0.890 → 88.90, −0.70 against dense; masked 0.889/0.886 → 88.75, −0.85;
  // same-seed differences −0.10 and +0.40 points → mean +0.15, largest 0.40. Run times 18 s
  // against 6 s (3.00×) and 20 s (0.90×).
  const rows = [
    row('dense', 0, 0.895, 17),
    row('compressed', 0, 0.888, 5),
    row('masked-dense', 0, 0.889, 21),
    row('dense', 1, 0.897, 19),
    row('compressed', 1, 0.89, 7),
    row('masked-dense', 1, 0.886, 19),
  ];
  const text = accuracyTable(rows);
  const line = (path: string) => text.split('\n').find((l) => l.startsWith(path))!.split(/\s{2,}/);

  it('gives each path its mean ± sd, the seeds, the gap to dense and the speed-up of whole runs', () => {
    expect(line('dense ')).toEqual(['dense', 'dense', '0.00', '2', '89.60 ± 0.14', '89.50 89.70', '–', '18.0', '–']);
    expect(line('compressed')).toEqual(['compressed', 'rigl', '0.90', '2', '88.90 ± 0.14', '88.80 89.00', '−0.70', '6.0', '3.00×']);
    expect(line('masked-dense')).toEqual(['masked-dense', 'rigl', '0.90', '2', '88.75 ± 0.21', '88.90 88.60', '−0.85', '20.0', '0.90×']);
  });

  it('compares the two RigL paths seed by seed', () => {
    expect(text).toContain('RigL compressed − masked dense, same seed: mean +0.15, largest 0.40 points over 2 seeds');
  });
});

describe('bench --accuracy table of one seed', () => {
  const text = accuracyTable([row('dense', 0, 0.8971, 24), row('compressed', 0, 0.8882, 7), row('masked-dense', 0, 0.8892, 24)]);

  it('gives the mean alone, without a spread one seed cannot have', () => {
    const dense = text.split('\n').find((l) => l.startsWith('dense '))!.split(/\s{2,}/);
    expect(dense.slice(3, 5)).toEqual(['1', '89.71']);
    expect(text).toContain('largest 0.10 points over 1 seed\n');
  });
});
