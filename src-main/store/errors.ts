import Database from 'better-sqlite3';

/** A store problem a user can act on: the message names the database file and what is wrong. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Turns SQLite's bare "FOREIGN KEY constraint failed" on a per-run row into which run is missing. */
export function explainMissingRun(error: unknown, file: string, runId: number): unknown {
  if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new StoreError(`${file}: run ${runId} does not exist (deleted while recording?)`, { cause: error });
  }
  return error;
}
