import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { openStore, type Store } from '../../src-main/store/index.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
let now = T0;
let dir: string;
let store: Store;

beforeEach(() => {
  now = T0;
  dir = mkdtempSync(join(tmpdir(), 'rigl-store-export-'));
  store = openStore(join(dir, 'db.sqlite'), { clock: () => now });
});
afterEach(() => {
  expect(store.checkIntegrity()).toEqual([]);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A short finished run: three logged steps, two layers, one mask update and a checkpoint. */
function recordRun(): number {
  const id = store.createRun(resolveRunConfig({ method: 'rigl', sparsity: 0.9 }), { name: 'rigl 90' });
  store.updateRunStatus(id, 'running');
  const recorder = store.openRecorder(id);
  recorder.metrics(0, 0, { train_loss: 2.5, lr: 0.1 });
  recorder.layerStats(0, 0, [
    { layer: 'dense1', density: 0.08, active: 18816, params: 235200, flops: 37632 },
    { layer: 'dense2', density: 0.23, active: 6900, params: 30000, flops: 13800 },
  ]);
  recorder.metrics(50, 1, { train_loss: 1.25, lr: 0.1, val_accuracy: 0.5 });
  recorder.maskUpdates(50, [{ layer: 'dense1', active: 18816, dropped: 5644, grown: 5644 }]);
  recorder.checkpoint({ step: 50, epoch: 1, path: '/ckpt/1/50', bytes: 2048 });
  recorder.metrics(100, 2, { train_loss: Number.NaN });
  recorder.close();
  now += 60_000;
  // A quarter of the standard dense run's 3 · 532,400 · 128 · 6,315 FLOPs: the ratio column says 0.25.
  store.finishRun(id, { testAccuracy: 0.8125, trainFlops: 322_762_176_000 });
  return id;
}

describe('exportRun', () => {
  it('writes the metrics as a wide CSV: one line per step, one column per metric', () => {
    const id = recordRun();
    expect(store.exportRun(id, 'csv')).toBe(
      ['step,epoch,lr,train_loss,val_accuracy', '0,0,0.1,2.5,', '50,1,0.1,1.25,0.5', '100,2,,NaN,', ''].join('\n'),
    );
  });

  it('writes everything about a run as JSON', () => {
    const id = recordRun();
    const exported = JSON.parse(store.exportRun(id, 'json')) as Record<string, unknown>;
    expect(Object.keys(exported)).toEqual(['run', 'metrics', 'layers', 'maskUpdates', 'checkpoints']);
    expect(exported.run).toMatchObject({
      id,
      name: 'rigl 90',
      status: 'completed',
      durationS: 60,
      testAccuracy: 0.8125,
      config: resolveRunConfig({ method: 'rigl', sparsity: 0.9 }),
    });
    expect(exported.metrics).toEqual([
      { step: 0, epoch: 0, name: 'lr', value: 0.1 },
      { step: 0, epoch: 0, name: 'train_loss', value: 2.5 },
      { step: 50, epoch: 1, name: 'lr', value: 0.1 },
      { step: 50, epoch: 1, name: 'train_loss', value: 1.25 },
      { step: 50, epoch: 1, name: 'val_accuracy', value: 0.5 },
      { step: 100, epoch: 2, name: 'train_loss', value: null },
    ]);
    expect(exported.layers).toEqual([
      { step: 0, epoch: 0, layer: 'dense1', density: 0.08, active: 18816, params: 235200, flops: 37632 },
      { step: 0, epoch: 0, layer: 'dense2', density: 0.23, active: 6900, params: 30000, flops: 13800 },
    ]);
    expect(exported.maskUpdates).toEqual([{ step: 50, layer: 'dense1', active: 18816, dropped: 5644, grown: 5644 }]);
    expect(exported.checkpoints).toEqual([
      { id: 1, runId: id, step: 50, epoch: 1, path: '/ckpt/1/50', bytes: 2048, createdAt: '2026-11-25T10:00:00.000Z' },
    ]);
  });

  it('names a missing run', () => {
    expect(() => store.exportRun(7, 'json')).toThrow(/run 7 does not exist/);
  });
});

describe('exportRunsCsv', () => {
  it('writes one summary line per run in the order given, quoting where needed', () => {
    const first = recordRun();
    const second = store.createRun(resolveRunConfig({ method: 'dense', seed: 3 }), { name: 'dense, "baseline"' });
    store.setRunTags(second, ['ref', 'v2']);
    store.setRunBackend(first, { backend: 'wasm', reason: 'auto', device: 'CPU (WebAssembly SIMD, 2 threads)', versions: { 'rigl-lab': '0.1.0', 'tfjs-core': '4.22.0' } });
    const lines = store.exportRunsCsv([second, first]).split('\n');
    expect(lines[0]).toBe(
      'id,experiment_id,name,status,dataset,model,method,sparsity,distribution,seed,epochs,training_multiplier,backend,device,versions,' +
        'steps_done,total_steps,duration_s,test_accuracy,best_test_accuracy,val_accuracy,test_loss,train_flops,train_flops_ratio,' +
        'inference_flops,inference_flops_ratio,final_sparsity,parameters,diverged_step,tags,created_at,finished_at',
    );
    expect(lines[1]).toBe(
      // Dense: sparsity 0 and no distribution, whatever its config keeps of the recipe's.
      `2,,"dense, ""baseline""",queued,fashion-mnist,mlp,dense,0,,3,15,1,,,,0,,,,,,,,,,,,,,ref v2,2026-11-25T10:01:00.000Z,`,
    );
    expect(lines[2]).toBe(
      '1,,rigl 90,completed,fashion-mnist,mlp,rigl,0.9,erk,0,15,1,wasm,"CPU (WebAssembly SIMD, 2 threads)","rigl-lab 0.1.0, tfjs-core 4.22.0",0,,60,0.8125,,,,322762176000,0.25,,,,,,,2026-11-25T10:00:00.000Z,2026-11-25T10:01:00.000Z',
    );
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});
