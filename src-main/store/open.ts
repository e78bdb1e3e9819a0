import Database from 'better-sqlite3';
import { mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';
import { applyMigrations, checkHistory, schemaVersion } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { createStore, type Store } from './store.js';

export interface OpenStoreOptions {
  /** Reads only; the file must exist and be at the current schema version. */
  readonly?: boolean;
  /** Milliseconds since the epoch for timestamps; tests pass a fixed clock. */
  clock?: () => number;
}

/** Long enough that a writer in another process (a run recording, a second window) finishes its batch first. */
const BUSY_TIMEOUT_MS = 10_000;
const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Opens (creating it and its folder if needed) the run database. A file that is not SQLite, or
 * whose schema is newer than this code, is refused with an error naming it, and left unchanged.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const clock = options.clock ?? Date.now;
  checkIsSqlite(file);
  if (!readonly) mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new StoreError(`${file}: cannot open the database: ${(error as Error).message}`, { cause: error });
  }
  try {
    // Every check before the first write, so a refused file is left as it was.
    checkHistory(db, file, MIGRATIONS);
    db.pragma('foreign_keys = ON');
    if (readonly) {
      const version = schemaVersion(db);
      if (version < MIGRATIONS.length) {
        throw new StoreError(
          `${file}: the database has schema version ${version} and needs upgrading to ${MIGRATIONS.length}; open it once without readonly`,
        );
      }
      return createStore({ db, file, clock }, { file, readonly, schemaVersion: version, appliedMigrations: [] });
    }
    switchToWal(db);
    // In WAL mode NORMAL is still crash-safe (a power loss can lose only the last commits), and much faster.
    db.pragma('synchronous = NORMAL');
    const appliedMigrations = applyMigrations(db, MIGRATIONS, clock);
    return createStore({ db, file, clock }, { file, readonly, schemaVersion: schemaVersion(db), appliedMigrations });
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${file}: cannot use the database: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A new file starts in rollback mode, and the switch to WAL needs an exclusive lock. When two
 * processes create the file at once, SQLite answers SQLITE_BUSY at once instead of calling the
 * busy handler (waiting could deadlock), so the switch is retried here until the busy timeout.
 */
function switchToWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 5 + Math.random() * 20);
    }
  }
}

/** Checks the 16-byte header itself rather than letting SQLite find out, so nothing touches a foreign file. */
function checkIsSqlite(file: string): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new StoreError(`${file}: is not a file`);
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // An empty file is an empty database to SQLite.
  if (size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new StoreError(`${file}: is not a SQLite database (it lacks the SQLite header); refusing to open it (the file was not changed)`);
  }
}
