import type Database from 'better-sqlite3';

/** What every query module of one open store shares. */
export interface StoreContext {
  db: Database.Database;
  /** The database file, named in every error. */
  file: string;
  /** Milliseconds since the epoch; replaceable so tests can check times and durations exactly. */
  clock: () => number;
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();

/**
 * Wraps fn in a BEGIN IMMEDIATE transaction. A deferred transaction that reads and then writes
 * gets SQLITE_BUSY at once, without waiting for busy_timeout, when another process committed in
 * between; taking the write lock up front lets the busy timeout do its job.
 */
export function immediate<A extends unknown[], R>(db: Database.Database, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A) => transaction.immediate(...args);
}
