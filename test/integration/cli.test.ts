import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, rigl } from '../helpers/cli.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { listBackends } from '../../src-main/engine/backend/select-backend.js';
import { openStore } from '../../src-main/store/index.js';
import { writeCifarArchive } from '../helpers/dataset-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-cli-'));
const db = join(dir, 'runs.sqlite');
const dataDir = join(dir, 'data');
const store = ['--db', db, '--data-dir', dataDir];

describe('rigl-lab CLI', () => {
  it('refuses bad flags with exit code 2, naming the field and the allowed values, writing nothing', async () => {
    const bad = join(dir, 'never.sqlite');
    const r = await rigl(['run', '--method', 'lottery', '--sparsity', '1.5', '--delta-t', '0', '--db', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--method: must be one of "dense", "static", "set", "snfs", "rigl", "pruning"');
    expect(r.stderr).toContain('--sparsity: must be a fraction below 1, e.g. 0.9 for 90%');
    expect(r.stderr).toContain('--delta-t: must be a whole number of steps, at least 1');
    expect(existsSync(bad)).toBe(false);
    // Reading commands leave a database that does not exist uncreated.
    expect((await rigl(['list', '--db', bad])).stdout).toContain('No runs yet');
    expect((await rigl(['show', '1', '--db', bad])).stderr).toContain(`RUN: no run 1: there is no database at ${bad} yet`);
    expect(existsSync(bad)).toBe(false);

    const unknown = await rigl(['run', '--lerning-rate', '0.1', '--db', bad]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--lerning-rate'/);
    const notNumber = await rigl(['run', '--epochs', 'ten', '--db', bad]);
    expect(notNumber.stderr).toContain('--epochs: "ten" is not a whole number');
    // A backend this machine lacks (tfjs-node is an optional dependency, missing here and in CI).
    const missing = (await listBackends()).find((b) => !b.available);
    if (missing !== undefined) {
      const noBackend = await rigl(['run', '--backend', missing.name, '--db', bad]);
      expect(noBackend.code).toBe(2);
      expect(noBackend.stderr).toContain(`--backend: ${missing.name} is not available on this machine: ${missing.reason}`);
    }
    // A bad thread count would fail every run of the grid once stored.
    const badThreads = await rigl(['run', '--method', 'static,rigl', '--db', bad], { RIGL_LAB_THREADS: 'abc' });
    expect(badThreads).toMatchObject({ code: 2, stdout: '' });
    expect(badThreads.stderr).toContain('rigl-lab run: RIGL_LAB_THREADS must be a whole number from 1 to 64 (threads for the wasm kernels), got "abc"');
    expect(existsSync(bad)).toBe(false);
  });

  it('counts no start-up in a run\'s time: its clock starts once its backend is up, its data loaded (decoded, for the first) and its code warmed up', async () => {
    const freshDb = join(dir, 'fresh-data.sqlite');
    const fresh = ['--db', freshDb, '--data-dir', join(dir, 'fresh-data')];
    const r = await rigl(['run', '--model', 'mlp', '--method', 'dense,static', '--epochs', '1', '--train-subset', '500', '--test-subset', '100', ...fresh]);
    expect(r.code, r.stderr).toBe(0);
    const store = openStore(freshDb, { readonly: true });
    try {
      for (const run of store.listRuns()) {
        const logs = store.getRunLogs(run.id);
        const dataLine = logs.findIndex((l) => l.message.startsWith('dataset fashion-mnist'));
        // A run of 3 steps (450 examples after the holdout, batches of 128) warms up on one.
        const warmLine = logs.findIndex((l) => l.message.startsWith("warmed up: 1 untimed step of a throwaway copy of the model, so that the run's time is its training's alone"));
        expect(dataLine, run.name).toBeGreaterThanOrEqual(0);
        expect(warmLine, run.name).toBeGreaterThan(dataLine);
        expect(Date.parse(run.startedAt!), run.name).toBeGreaterThanOrEqual(Date.parse(logs[warmLine]!.time));
      }
      // The first decoded the data; the second read what it cached.
      expect(store.getRunLogs(1).some((l) => l.message.startsWith('dataset fashion-mnist decoded from '))).toBe(true);
      expect(store.getRunLogs(2).some((l) => l.message.startsWith(`dataset fashion-mnist from its cache in ${join(dir, 'fresh-data', 'fashion-mnist')}`))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('names the file and field of a bad --config', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'x', base: { model: 'mlp' }, grid: { sparsity: [0.5, 2] } }));
    const r = await rigl(['run', '--config', file, '--db', join(dir, 'never.sqlite')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:`);
    expect(r.stderr).toContain('grid.sparsity.1: must be a fraction below 1');
    // A check of each run is named by the flag that set its field.
    const big = await rigl(['run', '--model', 'mlp', '--train-subset', '100000', '--db', join(dir, 'never.sqlite')]);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('--train-subset: 100,000 is more than the 60,000 training examples of Fashion-MNIST');
    writeFileSync(file, '{ not json');
    expect((await rigl(['run', '--config', file])).stderr).toContain('not valid JSON');
    // A bad field of the file is named even where a flag would override it; a bad flag over a good file is named as the flag.
    writeFileSync(file, JSON.stringify({ name: 'x', base: { model: 'mlp', epochs: 'two' } }));
    const hidden = await rigl(['run', '--config', file, '--epochs', '1', '--db', join(dir, 'never.sqlite')]);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain(`${file}:\nbase.epochs: must be a number`);
    writeFileSync(file, JSON.stringify({ name: 'x', base: { model: 'mlp' }, grid: { method: ['rigl', 'static'] } }));
    const flagged = await rigl(['run', '--config', file, '--sparsity', '0.9,1.2', '--db', join(dir, 'never.sqlite')]);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toBe('rigl-lab run: --sparsity 1.2 (2nd in its list): must be a fraction below 1, e.g. 0.9 for 90% (1 would remove every weight)\n');
    const layer = await rigl(['run', '--config', file, '--layer-sparsity', 'fc9=0.5', '--db', join(dir, 'never.sqlite')]);
    expect(layer.stderr).toContain('--layer-sparsity fc9: no masked layer of mlp is called "fc9"');
    expect((await rigl(['run', '--model', 'mlp', '--layer-sparsity', 'fc1', '--db', join(dir, 'never.sqlite')])).stderr).toContain('--layer-sparsity: "fc1" is not LAYER=SPARSITY');
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  });

  it('keeps a config file as an experiment, named and tagged, when flags narrow it to one run', async () => {
    const own = ['--db', join(dir, 'narrowed.sqlite'), '--data-dir', dataDir];
    const file = join(dir, 'grid.json');
    writeFileSync(file, JSON.stringify({ name: 'Narrowed grid', tags: ['walk'], base: { model: 'mlp', epochs: 1, trainSubset: 300, testSubset: 100, batchSize: 50 }, grid: { method: ['rigl', 'static'] } }));
    const r = await rigl(['run', '--config', file, '--method', 'static', '--json', ...own]);
    expect(r.code, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout) as { experimentId: number | null; method: string };
    expect(line).toMatchObject({ method: 'static', experimentId: expect.any(Number) });
    const experiments = JSON.parse((await rigl(['experiments', '--json', ...own])).stdout) as Array<{ id: number; name: string; tags: string[] }>;
    // Named by the file and the flag that narrowed it.
    expect(experiments).toEqual([expect.objectContaining({ id: line.experimentId, name: 'Narrowed grid (with --method static)', tags: ['walk'] })]);
  });

  it('inspect takes --layer-sparsity: the named layers as given, the others at the target by the distribution', async () => {
    const r = await rigl(['inspect', '--model', 'mlp', '--distribution', 'uniform', '--sparsity', '0.9', '--layer-sparsity', 'fc1=0.5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { layers: Array<{ name: string; density: number }> };
    expect(report.layers.map((l) => [l.name, l.density])).toEqual([['fc1', 0.5], ['fc2', 0.1], ['fc3', 0.1]]);
  });

  it('inspect gives per-layer densities that follow ERK and the totals, as JSON', async () => {
    for (const sparsity of [0.5, 0.8, 0.9, 0.95]) {
      const r = await rigl(['inspect', '--model', 'wrn-22-2', '--dataset', 'cifar10', '--sparsity', String(sparsity), '--distribution', 'erk', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { layers: Array<{ name: string; shape: number[]; params: number; density: number; flops: number }>; totals: { maskedParams: number; density: number } };
      expect(report.layers).toHaveLength(23);
      expect(report.totals.maskedParams).toBe(1076912);
      expect(report.totals.density).toBeCloseTo(1 - sparsity, 3);
      expect(report.layers[1]).toMatchObject({ name: 'group1.block1.conv1', shape: [3, 3, 16, 32], params: 4608 });
    }
    const mlp = JSON.parse((await rigl(['inspect', '--model', 'mlp', '--sparsity', '0.9', '--distribution', 'erk', '--json'])).stdout) as {
      layers: Array<{ density: number }>;
    };
    expect(mlp.layers.map((l) => Number(l.density.toFixed(4)))).toEqual([0.0796, 0.2302, 1]);
  });

  it('trains a config file without a grid as a lone run with the file\'s name and tags', async () => {
    const config = join(dir, 'one-run.json');
    writeFileSync(config, JSON.stringify({ name: 'One file run', tags: ['baseline', 'quick'], base: { model: 'mlp', method: 'static', sparsity: 0.8, epochs: 1, trainSubset: 300, testSubset: 100, batchSize: 50 } }));
    const own = ['--db', join(dir, 'one-run.sqlite'), '--data-dir', dataDir];
    const r = await rigl(['run', '--config', config, ...own]);
    expect(r.code, r.stderr).toBe(0);
    expect((await rigl(['experiments', ...own])).stdout).toContain('No experiments');
    const show = await rigl(['show', '1', ...own]);
    expect(show.stdout).toMatch(/^run 1 "One file run" {2}completed\n {2}tags: baseline, quick\n/);
  });

  it('trains a grid, prints one JSON line per run, and lists, shows and exports them', async () => {
    const r = await rigl([
      'run', '--model', 'mlp', '--method', 'static,rigl', '--sparsity', '0.8', '--epochs', '1',
      '--train-subset', '600', '--test-subset', '200', '--batch-size', '50', '--delta-t', '2', '--json', ...store,
    ]);
    expect(r.code, r.stderr).toBe(0);
    // Each run's line on stderr ends with its run time.
    expect(r.stderr).toMatch(/^\[2\/2\] RigL ERK 80% · mlp · seed 0: completed test \d+\.\d\d% train FLOPs \d\.\d{3}× inference \d\.\d{3}× in \d+\.\ds$/m);
    // Then the runs side by side, as the experiment's dashboard tables them (stdout keeps the JSON lines only).
    const summary = r.stderr.slice(r.stderr.indexOf('\nSummary\n'));
    expect(summary).toMatch(/^Method +Sparsity +Distribution +Seeds +Test accuracy +Train FLOPs × +Inference FLOPs × +Run time +Time × dense$/m);
    expect(summary).toMatch(/^Static +80% +ERK +1 +\d+\.\d\d +0\.\d{3}× +0\.\d{3}× +\d+\.\d s +—$/m);
    expect(summary).toMatch(/^RigL +80% +ERK +1 +\d+\.\d\d +0\.\d{3}× +0\.\d{3}× +\d+\.\d s +—$/m);
    expect(summary).toContain('All 2 runs completed.');
    expect(r.stderr.trimEnd().endsWith('`rigl-lab report 1` writes its figures and tables (HTML, CSV, SVG)')).toBe(true);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ status: 'completed', method: 'rigl', backend: 'wasm' });
    for (const key of ['runId', 'testAccuracy', 'trainFlops', 'trainFlopsRatio', 'inferenceFlopsRatio']) expect(last[key], key).toBeTypeOf('number');
    // A layer's density is its mask's, as `show` gives it; nonzeroDensity leaves out active weights that are 0 (grown ones that never trained).
    const shown = JSON.parse((await rigl(['show', String(last.runId), '--json', ...store])).stdout) as { layers: Array<{ layer: string; density: number }> };
    const maskDensity = new Map(shown.layers.map((l) => [l.layer, l.density]));
    const layers = last.layers as Array<{ name: string; shape: number[]; density: number; nonzeroDensity: number }>;
    expect(layers.map((l) => [l.name, l.shape])).toEqual([['fc1', [784, 300]], ['fc2', [300, 100]], ['fc3', [100, 10]]]);
    for (const l of layers) {
      expect(l.density, l.name).toBe(maskDensity.get(l.name));
      expect(l.nonzeroDensity, l.name).toBeLessThanOrEqual(l.density);
    }

    const experiments = JSON.parse((await rigl(['experiments', '--json', ...store])).stdout) as Array<{ id: number; name: string; runCounts: Record<string, number> }>;
    expect(experiments).toHaveLength(1);
    // Without --name, the grid is named by what it trains and sweeps, and the other flags typed (not the
    // model, which the name says, nor --json).
    expect(experiments[0]!.name).toBe('Fashion-MNIST · mlp: Static, RigL (with --sparsity 0.8 --epochs 1 --train-subset 600 --test-subset 200 --batch-size 50 --delta-t 2)');
    expect(experiments[0]!.runCounts.completed).toBe(2);
    const list = await rigl(['list', '--json', ...store]);
    expect((JSON.parse(list.stdout) as Array<{ id: number }>).map((run) => run.id)).toEqual([2, 1]);
    const badStatus = await rigl(['list', '--status', 'completed,done', ...store]);
    expect(badStatus).toMatchObject({ code: 2, stdout: '' });
    expect(badStatus.stderr).toContain('--status: "done" is not a run status; use one or more of queued, running, completed, failed, cancelled, interrupted, diverged');
    const show = await rigl(['show', String(last.runId), ...store]);
    expect(show.stdout).toMatch(/^run 2 "RigL ERK 80% · mlp · seed 0" {2}completed {2}in experiment 1$/m);
    expect(show.stdout).toContain('fc1');
    expect(show.stdout).toMatch(/^ {2}backend wasm on CPU \(WebAssembly SIMD, \d threads?\), chosen by auto: /m);
    expect(show.stdout).toMatch(/^ {2}versions rigl-lab \d+\.\d+\.\d+, tfjs-core 4\.\d+\.\d+, tfjs-backend-wasm 4\.\d+\.\d+$/m);
    // The log's end: the last epoch's line.
    expect(show.stdout).toMatch(/epoch 1 of 1 \(step 10\): test accuracy/);
    const exported = JSON.parse((await rigl(['export', String(last.runId), '--format', 'json', ...store])).stdout) as {
      config: unknown;
      run: { backendVersions: Record<string, string> };
      metrics: unknown[];
      layers: unknown[];
      maskUpdates: Array<{ step: number; layer: string; active: number; dropped: number; grown: number }>;
    };
    expect(Object.keys(exported.run.backendVersions)).toEqual(['rigl-lab', 'tfjs-core', 'tfjs-backend-wasm']);
    expect(exported.maskUpdates.length).toBeGreaterThan(0);
    expect(Object.keys(exported.maskUpdates[0]!).sort()).toEqual(['active', 'dropped', 'grown', 'layer', 'step']);
    const csv = (await rigl(['export', String(last.runId), '--format', 'csv', ...store])).stdout;
    expect(csv.split('\n')[0]).toMatch(/^step,epoch,/);
    expect((await rigl(['show', '99', ...store])).code).toBe(2);

    // A reader that stops at once (`rigl-lab list --json | head -c 0`): no stack trace, the
    // status of a process that SIGPIPE ended.
    expect(await withStdoutClosed(['list', '--json', ...store])).toEqual({ code: 141, stderr: '' });
  });

  it('says why a run diverged on its status line, and exits 1', async () => {
    const r = await rigl(['run', '--model', 'mlp', '--epochs', '1', '--train-subset', '300', '--test-subset', '100', '--batch-size', '50', '--lr', '100', '--momentum', '0.99', '--method', 'dense', '--db', join(dir, 'diverged.sqlite'), '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^\[1\/1\] Dense · mlp · seed 0: diverged \(loss was not finite at step \d+\) train FLOPs /m);
  });

  it('stops a grid as when interrupted when its reader closes the pipe, leaving nothing marked running', async () => {
    const epipeDb = ['--db', join(dir, 'epipe.sqlite'), '--data-dir', dataDir];
    const grid = ['run', '--model', 'mlp', '--method', 'static,rigl', '--epochs', '1', '--train-subset', '600', '--test-subset', '200', '--batch-size', '50', '--warmup-steps', '10', '--json'];
    const { code, stderr } = await withStdoutClosed([...grid, ...epipeDb]);
    expect(code, stderr).toBe(141);
    expect(stderr).not.toContain('EPIPE');
    // 540 training examples in batches of 50: 10 steps, T_end = round(7.5) = 8, short of ΔT = 100.
    expect(stderr).toContain('note: RigL makes no mask update: updates stop at step 8 (75% of 10 steps), before the first at ΔT = 100');
    expect(stderr).toContain('note: A warm-up of 10 steps takes the whole run (10 steps): the learning rate rises from near 0 throughout');
    const runs = JSON.parse((await rigl(['list', '--json', ...epipeDb])).stdout) as Array<{ id: number; status: string; config: { method: string } }>;
    // The first run completed (its JSON line met the closed pipe); the second was interrupted, or never started and was marked so.
    expect(runs.map((r) => r.status).sort()).toEqual(['completed', 'interrupted']);
    // `show` gives the run's data and schedule, and says so again.
    const shown = (await rigl(['show', String(runs.find((r) => r.config.method === 'rigl')!.id), ...epipeDb])).stdout;
    expect(shown).toContain('  trained on the first 600 training examples, 10% of them held out for validation; tested on the first 200 test examples\n');
    expect(shown).toContain('  mask updates every 100 steps, α 0.3 (cosine), until 75% of training\n');
    expect(shown).toContain('  note: RigL makes no mask update: updates stop at step 8 (75% of 10 steps), before the first at ΔT = 100');
  });

  it('stops a grid as interrupted, none left queued, when the reader of its messages goes (stderr, as `2>&1 | head -2` closes it)', async () => {
    const bothDb = ['--db', join(dir, 'both-closed.sqlite'), '--data-dir', dataDir];
    const grid = ['run', '--model', 'mlp', '--method', 'static,rigl', '--epochs', '1', '--train-subset', '600', '--test-subset', '200', '--batch-size', '50'];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...grid, ...bothDb], { stdio: ['ignore', 'ignore', 'pipe'] });
      // The first lines (runs stored, the schedule note) come before training: the reader goes then.
      child.stderr.once('data', () => child.stderr.destroy());
      child.on('close', resolve);
    });
    expect(code).toBe(141);
    const runs = JSON.parse((await rigl(['list', '--json', ...bothDb])).stdout) as Array<{ status: string }>;
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
  });

  it('cancels a grid on Ctrl-C with the runs it had not started, which resume then trains', async () => {
    const cancelDb = ['--db', join(dir, 'ctrl-c.sqlite'), '--data-dir', dataDir];
    const grid = ['run', '--model', 'mlp', '--seed', '0,1,2', '--epochs', '3', '--train-subset', '3000', '--test-subset', '200', '--batch-size', '50'];
    const { code, stderr } = await signalOnceStarted([...grid, ...cancelDb], 'SIGINT');
    expect(code, stderr).toBe(130);
    const runs = JSON.parse((await rigl(['list', '--json', ...cancelDb])).stdout) as Array<{ id: number; status: string; error: string | null }>;
    const notStarted = runs.filter((r) => r.error?.startsWith('not reached')).map((r) => r.id).sort((a, b) => a - b);
    expect(notStarted).toHaveLength(2);
    expect(stderr).toContain(`2 runs not reached, now cancelled: \`rigl-lab resume ${notStarted.join(' ')}\` starts them`);
    expect(runs.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // The run it was training says what its resume does: 3 epochs of 60 steps, a checkpoint after each.
    const stopped = runs.find((r) => !notStarted.includes(r.id))!;
    expect(stopped.error).toMatch(/^stopped on request \(Cancel in the app, or Ctrl-C\); Re-run or `rigl-lab resume` (starts it over: it has no checkpoint yet|continues it from its checkpoint at step (60|120))$/);
    expect(stderr).toMatch(new RegExp(`run ${stopped.id} cancelled: \`rigl-lab resume ${stopped.id}\` (starts it over|continues it from its checkpoint)`));
    const resumed = await rigl(['resume', String(notStarted[0]), '--json', ...cancelDb]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout.trim())).toMatchObject({ runId: notStarted[0], status: 'completed' });
    // Then its experiment as it stands, as `run` ends a grid.
    expect(resumed.stderr).toMatch(/^Summary\nMethod +Sparsity/m);
    expect(resumed.stderr).toContain('1 of 3 runs completed, 2 stopped');
  });

  it('marks a grid interrupted on SIGTERM (a scheduler stopping it), the runs it had not started too, and exits 143', async () => {
    const termDb = ['--db', join(dir, 'sigterm.sqlite'), '--data-dir', dataDir];
    const grid = ['run', '--model', 'mlp', '--seed', '5,6', '--epochs', '3', '--train-subset', '3000', '--test-subset', '200', '--batch-size', '50'];
    // Twice, as a scheduler that signals every process of a job reaches it (and the process that
    // started it again for tfjs-node-gpu passes its own on): the second, once the first has stopped
    // the run not reached, is the same stop.
    const notReachedStopped = () => {
      const seen = openStore(termDb[1]!, { readonly: true });
      try {
        return seen.getRun(2)?.status === 'interrupted';
      } finally {
        seen.close();
      }
    };
    const { code, stderr } = await signalOnceStarted([...grid, ...termDb], 'SIGTERM', notReachedStopped);
    expect(code, stderr).toBe(143);
    const runs = JSON.parse((await rigl(['list', '--json', ...termDb])).stdout) as Array<{ id: number; status: string; error: string | null }>;
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
    const [second, first] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(second.error).toMatch(/^not reached: the rigl-lab command that queued it was stopped first/);
    expect(stderr).toContain(`1 run not reached, now interrupted: \`rigl-lab resume ${second.id}\` starts it`);
    expect(stderr).toMatch(new RegExp(`run ${first.id} interrupted: \`rigl-lab resume ${first.id}\``));
    expect(stderr).not.toContain('cannot become');
    // A stopped grid ends with how to resume it, not with a table of runs it did not finish.
    expect(stderr).not.toContain('\nSummary\n');
    // Its log ends with how it stopped.
    expect((await rigl(['show', String(first.id), ...termDb])).stdout).toMatch(/interrupted at step [\d,]+: stopped by a SIGTERM \(a scheduler, or kill\)/);
    // It keeps what it measured before the stop: the FLOPs it trained, a share of the standard dense run's.
    const measured = (JSON.parse((await rigl(['show', String(first.id), '--json', ...termDb])).stdout) as { run: { trainFlops: number | null; trainFlopsRatio: number | null } }).run;
    expect(measured.trainFlops).not.toBeNull();
    expect(measured.trainFlopsRatio).toBeLessThan(0.1);
    // The run not reached has its planned length: 2,700 examples after the validation split, 54 batches of 50, 3 epochs.
    expect((await rigl(['show', String(second.id), ...termDb])).stdout).toContain('steps 0/162,');
  });

  it('resume starts a queued run (a rigl-lab run killed before it reached it) and refuses a completed one', async () => {
    const queuedDb = join(dir, 'queued.sqlite');
    const created = openStore(queuedDb);
    const id = created.createRun(resolveRunConfig({ model: 'mlp', epochs: 1, trainSubset: 300, testSubset: 100, batchSize: 50 }), { name: 'left queued' });
    created.close();
    const r = await rigl(['resume', String(id), '--json', '--db', queuedDb, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ runId: id, status: 'completed' });
    const again = await rigl(['resume', String(id), '--db', queuedDb, '--data-dir', dataDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`run ${id} is completed; only interrupted, failed, cancelled or diverged runs resume, and queued ones start`);
  });

  it('lists datasets, with the system copy of Fashion-MNIST', async () => {
    const r = await rigl(['datasets', 'list', '--json', '--data-dir', join(dir, 'empty')]);
    const statuses = JSON.parse(r.stdout) as Array<{ name: string; available: boolean; from: string | null }>;
    expect(statuses.find((s) => s.name === 'fashion-mnist')).toMatchObject({ available: true, from: 'system' });
    expect(statuses.find((s) => s.name === 'cifar10')).toMatchObject({ available: false });
    const missing = await rigl(['run', '--dataset', 'cifar10', '--data-dir', join(dir, 'empty'), '--db', join(dir, 'never.sqlite')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('rigl-lab datasets fetch cifar10');
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  });

  it('refuses a run on a partial copy of a dataset that is too small for it, writing nothing', async () => {
    const partialData = join(dir, 'partial-data');
    const archive = join(dir, 'partial', 'cifar-10-binary.tar.gz');
    await writeCifarArchive(archive, 'cifar10', { trainPerFile: 20, test: 10 });
    const imported = await rigl(['datasets', 'import', 'cifar10', archive, '--data-dir', partialData]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toBe(`cifar10 imported from ${archive} into ${partialData}: 100 of 50000 (partial) training and 10 of 10000 (partial) test images\n`);
    expect((await rigl(['datasets', 'list', '--data-dir', partialData])).stdout).toMatch(/cifar10 +yes +cache +100 of 50000 \(partial\) +10 of 10000 \(partial\)/);
    const r = await rigl(['run', '--dataset', 'cifar10', '--model', 'wrn-10-2', '--data-dir', partialData, '--db', join(dir, 'partial.sqlite')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--train-subset: CIFAR-10 on this machine holds 100 training images, fewer than the full set's 50,000: set the train subset to 100 or fewer, or import the complete archive");
    expect(existsSync(join(dir, 'partial.sqlite'))).toBe(false);
  });
});

/**
 * Runs the CLI and sends it `signal` once its first run has started; again, if asked, as soon as
 * `handled()` says it has acted on the first (a second Ctrl-C would end the process at once).
 * Its exit code and stderr.
 */
async function signalOnceStarted(args: string[], signal: NodeJS.Signals, handled?: () => boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/\[1\/\d+\].*started/.test(stderr) && child.signalCode === null && !child.killed) {
      child.kill(signal);
      if (handled === undefined) return;
      const poll = setInterval(() => {
        if (child.exitCode !== null || child.signalCode !== null) clearInterval(poll);
        else if (handled()) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 5);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}

/** Runs the CLI with a stdout whose reader has gone (`| head -c 0`); its exit code and stderr. */
async function withStdoutClosed(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}
