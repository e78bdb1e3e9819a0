import { describe, expect, it } from 'vitest';
import type { LayerStatRecord, RunRecord } from '../../src-shared/api/records.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { runSummary } from '../../src-main/cli/commands/run.js';
import type { ExecutedRun } from '../../src-main/runner/execute-run.js';

describe('run --json', () => {
  it("gives each layer its mask's density, and the share of weights not zero beside it", () => {
    const config = resolveRunConfig({ model: 'mlp', method: 'set', sparsity: 0.9 });
    const run = { id: 3, experimentId: null, name: 'SET', status: 'completed', config } as unknown as RunRecord;
    // SET's last update grew 60 of fc1's 23,520 active weights at 0: 23,460 are not zero.
    const executed = { outcome: { layers: [{ layer: 'fc1', shape: [784, 300], density: 23460 / 235200 }] } } as unknown as ExecutedRun;
    const masks = [{ layer: 'fc1', density: 0.1 }] as LayerStatRecord[];
    expect(runSummary(run, executed, masks).layers).toEqual([{ name: 'fc1', shape: [784, 300], density: 0.1, nonzeroDensity: 23460 / 235200 }]);
  });
});
