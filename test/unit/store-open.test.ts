import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { MIGRATIONS } from '../../src-main/store/migrations.js';
import { openStore, StoreError, type Store } from '../../src-main/store/index.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const clock = (): number => T0;

let dir: string;
const open: Store[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigl-store-open-'));
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});
const track = (store: Store): Store => {
  open.push(store);
  return store;
};

function raw(file: string): Database.Database {
  return new Database(file);
}

describe('openStore on a fresh file', () => {
  it('creates parent folders, applies every migration once and switches to WAL', () => {
    const file = join(dir, 'a', 'b', 'rigl-lab.sqlite');
    const store = track(openStore(file, { clock }));
    expect(store.schemaVersion).toBe(6);
    expect(store.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.name));
    expect(store.checkIntegrity()).toEqual([]);
    store.close();
    open.pop();

    const again = track(openStore(file, { clock }));
    expect(again.appliedMigrations).toEqual([]);

    const db = raw(file);
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT name, applied_at AS appliedAt FROM migrations ORDER BY rowid').all()).toEqual([
      { name: '2026-11-25-initial', appliedAt: '2026-11-25T10:00:00.000Z' },
      { name: '2026-11-25-run-owner-pid', appliedAt: '2026-11-25T10:00:00.000Z' },
      { name: '2026-11-25-settings', appliedAt: '2026-11-25T10:00:00.000Z' },
      { name: '2026-12-02-run-shared-time', appliedAt: '2026-11-25T10:00:00.000Z' },
      { name: '2026-12-03-run-seen-and-kept-time', appliedAt: '2026-11-25T10:00:00.000Z' },
      { name: '2026-12-04-run-backend-versions', appliedAt: '2026-11-25T10:00:00.000Z' },
    ]);
    db.close();
  });

  it('enforces foreign keys: a row for a missing run is refused with the run named', () => {
    const store = track(openStore(join(dir, 'db.sqlite')));
    expect(() => store.appendRunLog(42, 'info', 'hello')).toThrow(/run 42 does not exist/);
  });
});

describe('openStore on a file left at an older version', () => {
  it('applies only the missing migrations and keeps the old rows readable', () => {
    const file = join(dir, 'old.sqlite');
    const config = resolveRunConfig({ method: 'set', sparsity: 0.8, trainingMultiplier: 2 });
    // The file as the first release left it: schema version 1, one experiment with one run.
    const db = raw(file);
    db.exec(MIGRATIONS[0]!.sql);
    db.exec('CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
    db.prepare("INSERT INTO migrations VALUES ('2026-11-25-initial', '2026-11-25T09:00:00.000Z')").run();
    db.prepare(
      `INSERT INTO experiments (name, description, tags, preset, spec, created_at)
       VALUES ('Old', '', '["v1"]', NULL, '{"name":"Old","description":"","tags":["v1"],"base":{},"grid":{}}', '2026-11-25T09:00:00.000Z')`,
    ).run();
    db.prepare(
      // Its training FLOPs ratio was against dense trained as long (2×); 0.7 of the standard dense
      // run's 3 · 532,400 · 128 · 6,315 FLOPs is 0.35 of that.
      `INSERT INTO runs (experiment_id, name, config, status, created_at, steps_done, test_accuracy, duration_s, train_flops, train_flops_ratio, backend, backend_reason, device)
       VALUES (1, 'old run', ?, 'completed', '2026-11-25T09:00:01.000Z', 500, 0.875, 12.5, 903734092800, 0.35, 'wasm', 'chosen', 'CPU (WebAssembly SIMD)')`,
    ).run(JSON.stringify(config));
    db.pragma('user_version = 1');
    db.close();

    const store = track(openStore(file, { clock }));
    expect(store.appliedMigrations).toEqual([
      '2026-11-25-run-owner-pid',
      '2026-11-25-settings',
      '2026-12-02-run-shared-time',
      '2026-12-03-run-seen-and-kept-time',
      '2026-12-04-run-backend-versions',
    ]);
    expect(store.schemaVersion).toBe(6);
    const run = store.getRun(1);
    expect(run).toMatchObject({
      id: 1,
      experimentId: 1,
      name: 'old run',
      status: 'completed',
      stepsDone: 500,
      testAccuracy: 0.875,
      durationS: 12.5,
      sharedS: null,
      ownerPid: null,
      backend: 'wasm',
      device: 'CPU (WebAssembly SIMD)',
      // Not recorded then.
      backendVersions: null,
      tags: [],
      notes: '',
    });
    expect(run?.trainFlopsRatio).toBeCloseTo(0.7, 12);
    expect(run?.config).toEqual(config);
    expect(store.getExperiment(1)).toMatchObject({ name: 'Old', tags: ['v1'], preset: null });
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('counts a run an older version left running up to its last checkpoint of that session', () => {
    const file = join(dir, 'v4.sqlite');
    const db = raw(file);
    MIGRATIONS.slice(0, 4).forEach((m) => db.exec(m.sql));
    db.exec('CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
    for (const m of MIGRATIONS.slice(0, 4)) db.prepare("INSERT INTO migrations VALUES (?, '2026-11-25T09:00:00.000Z')").run(m.name);
    // Its second session began at 09:00 (10 s kept from the first), checkpointed at 09:00:30, and its process died.
    db.prepare(
      `INSERT INTO runs (name, config, status, created_at, started_at, duration_s, shared_s, owner_pid)
       VALUES ('left running', ?, 'running', '2026-11-25T08:00:00.000Z', '2026-11-25T09:00:00.000Z', 10, 0, ?)`,
    ).run(JSON.stringify(resolveRunConfig({})), 2 ** 22 + 12_345);
    const checkpoint = db.prepare("INSERT INTO checkpoints (run_id, step, epoch, path, bytes, created_at) VALUES (1, ?, ?, '/tmp/c', 1, ?)");
    checkpoint.run(100, 1, '2026-11-25T08:00:05.000Z');
    checkpoint.run(300, 3, '2026-11-25T09:00:30.000Z');
    db.pragma('user_version = 4');
    db.close();

    const store = track(openStore(file, { clock }));
    expect(store.markStaleRunningAsInterrupted()).toEqual([1]);
    expect(store.getRun(1)).toMatchObject({
      status: 'interrupted',
      durationS: 40,
      error: expect.stringMatching(/counts until it last wrote metrics or a checkpoint, at 2026-11-25T09:00:30.000Z$/),
    });
  });
});

describe('openStore refuses files it must not touch', () => {
  const expectUnchanged = (file: string, action: () => unknown, message: RegExp): void => {
    const before = readFileSync(file);
    expect(action).toThrow(StoreError);
    expect(action).toThrow(message);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}-journal`)).toBe(false);
  };

  it('rejects a file that is not SQLite, naming it', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(50));
    expectUnchanged(file, () => openStore(file), new RegExp(`${file.replace(/[.]/g, '\\.')}: is not a SQLite database`));
  });

  it('rejects a file with a SQLite header but damaged content', () => {
    const file = join(dir, 'damaged.sqlite');
    const bytes = Buffer.alloc(4096, 0xab);
    bytes.write('SQLite format 3\0', 0, 'latin1');
    writeFileSync(file, bytes);
    expectUnchanged(file, () => openStore(file), /damaged\.sqlite: cannot use the database/);
  });

  it('rejects a database from a newer version', () => {
    const file = join(dir, 'newer.sqlite');
    const db = raw(file);
    db.exec('CREATE TABLE future (x INTEGER)');
    db.pragma('user_version = 7');
    db.close();
    expectUnchanged(file, () => openStore(file), /newer\.sqlite: the database has schema version 7, newer than the 6/);
    expectUnchanged(file, () => openStore(file, { readonly: true }), /schema version 7/);
  });

  it('rejects the database of another program', () => {
    const file = join(dir, 'other-app.sqlite');
    const db = raw(file);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    expectUnchanged(file, () => openStore(file), /other-app\.sqlite: is a SQLite database of another program \(it has tables such as contacts/);
  });

  it('rejects a database whose migrations are not ours', () => {
    const file = join(dir, 'fork.sqlite');
    const db = raw(file);
    db.exec("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL); INSERT INTO migrations VALUES ('2026-01-01-other', 'x')");
    db.pragma('user_version = 1');
    db.close();
    expectUnchanged(file, () => openStore(file), /\(2026-01-01-other\) are not the ones .* \(2026-11-25-initial\)/);
  });
});

describe('openStore readonly', () => {
  it('reads a current file and refuses writes', () => {
    const file = join(dir, 'db.sqlite');
    const writer = track(openStore(file));
    const id = writer.createRun(resolveRunConfig({}));
    const reader = track(openStore(file, { readonly: true }));
    expect(reader.readonly).toBe(true);
    expect(reader.getRun(id)?.status).toBe('queued');
    expect(() => reader.createRun(resolveRunConfig({}))).toThrow(/readonly/);
  });

  it('refuses a missing file and one that needs upgrading', () => {
    expect(() => openStore(join(dir, 'missing.sqlite'), { readonly: true })).toThrow(/missing\.sqlite: cannot open the database/);
    const file = join(dir, 'empty.sqlite');
    raw(file).close();
    expect(() => openStore(file, { readonly: true })).toThrow(/schema version 0 and needs upgrading to 6/);
  });
});
