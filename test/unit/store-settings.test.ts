import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src-shared/config/run.js';
import { openStore, StoreError, type Store } from '../../src-main/store/index.js';

let file: string;
let store: Store;
beforeEach(() => {
  file = join(mkdtempSync(join(tmpdir(), 'rigl-store-settings-')), 'db.sqlite');
  store = openStore(file);
});
afterEach(() => {
  store.close();
  rmSync(dirname(file), { recursive: true, force: true });
});

describe('settings', () => {
  it('starts from the defaults and keeps what is changed, for every connection', () => {
    expect(store.getSettings()).toEqual({ backend: 'auto', concurrency: 1 });
    expect(store.updateSettings({ concurrency: 2 })).toEqual({ backend: 'auto', concurrency: 2 });
    expect(store.updateSettings({ backend: 'wasm' })).toEqual({ backend: 'wasm', concurrency: 2 });
    const other = openStore(file, { readonly: true });
    expect(other.getSettings()).toEqual({ backend: 'wasm', concurrency: 2 });
    other.close();
  });

  it('refuses a bad value, naming it, and changes nothing', () => {
    expect(() => store.updateSettings({ concurrency: 0 })).toThrow(ConfigError);
    expect(() => store.updateSettings({ backend: 'wasm', concurrency: 0 })).toThrow(/settings\.concurrency/);
    expect(store.getSettings()).toEqual({ backend: 'auto', concurrency: 1 });
  });

  it('reports a stored value that no longer parses', () => {
    const db = new Database(file);
    db.prepare("INSERT INTO settings (key, value) VALUES ('backend', '\"tpu\"')").run();
    db.close();
    expect(() => store.getSettings()).toThrow(StoreError);
    expect(() => store.getSettings()).toThrow(/settings cannot be read:\nbackend: must be one of/);
  });
});
