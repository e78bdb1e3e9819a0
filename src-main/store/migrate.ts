import type Database from 'better-sqlite3';
import { z } from 'zod';
import { immediate, isoTime } from './context.js';
import { StoreError } from './errors.js';
import type { Migration } from './migrations.js';

/** How many migrations the file has had (PRAGMA user_version). */
export function schemaVersion(db: Database.Database): number {
  return z.int().min(0).parse(db.pragma('user_version', { simple: true }));
}

/**
 * Checks, in one read snapshot, that the file is ours and not from the future: its recorded
 * history must be a prefix of ours. Read-only, so a file that fails is left untouched.
 */
export function checkHistory(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  db.transaction(() => {
    const version = schemaVersion(db);
    if (version > migrations.length) {
      throw new StoreError(
        `${file}: the database has schema version ${version}, newer than the ${migrations.length} this version of RigL Lab knows; ` +
          'update RigL Lab to open it (the file was not changed)',
      );
    }
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    if (version === 0) {
      if (tables.length > 0) {
        throw new StoreError(
          `${file}: is a SQLite database of another program (it has tables such as ${tables[0]} but no RigL Lab schema); ` +
            'refusing to change it (the file was not changed)',
        );
      }
      return;
    }
    const recorded = tables.includes('migrations')
      ? db.prepare<[], string>('SELECT name FROM migrations ORDER BY rowid').pluck().all()
      : [];
    const expected = migrations.slice(0, version).map((m) => m.name);
    if (recorded.join('\n') !== expected.join('\n')) {
      throw new StoreError(
        `${file}: the database's migrations (${recorded.join(', ') || 'none'}) are not the ones this version of RigL Lab ` +
          `applied (${expected.join(', ')}); it was made by a different build (the file was not changed)`,
      );
    }
  })();
}

/**
 * Applies the migrations the file lacks, each in its own transaction together with its record.
 * Safe when several processes open a fresh file at once: each step re-reads the version under
 * the write lock, and a step another process already applied is skipped.
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[], now: () => number): string[] {
  const applied: string[] = [];
  const applyStep = immediate(db, (index: number, migration: Migration) => {
    if (schemaVersion(db) !== index) return;
    db.exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`);
    db.exec(migration.sql);
    db.prepare('INSERT INTO migrations (name, applied_at) VALUES (?, ?)').run(migration.name, isoTime(now()));
    db.pragma(`user_version = ${index + 1}`);
    applied.push(migration.name);
  });
  const start = schemaVersion(db);
  for (const [index, migration] of migrations.entries()) {
    if (index >= start) applyStep(index, migration);
  }
  return applied;
}
