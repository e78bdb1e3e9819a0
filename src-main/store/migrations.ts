/**
 * The schema's history, oldest first. A migration is never edited once released: the schema
 * changes by appending a new one. `PRAGMA user_version` holds how many of them a file has.
 *
 * Conventions: STRICT tables, so a column holds only its declared type; times are ISO-8601 UTC
 * text; JSON columns are checked with json_valid; every per-run table cascades from runs.
 */
export interface Migration {
  /** Date and subject, e.g. 2026-11-25-initial. */
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: '2026-11-25-initial',
    sql: `
      CREATE TABLE experiments (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL CHECK (length(name) > 0),
        description TEXT NOT NULL,
        tags        TEXT NOT NULL CHECK (json_valid(tags)),
        preset      TEXT,
        spec        TEXT NOT NULL CHECK (json_valid(spec)),
        created_at  TEXT NOT NULL
      ) STRICT;

      -- AUTOINCREMENT: ids of deleted runs are never reused, so a checkpoint folder named
      -- after a run id can never be mistaken for a later run's.
      CREATE TABLE runs (
        id                    INTEGER PRIMARY KEY AUTOINCREMENT,
        experiment_id         INTEGER REFERENCES experiments(id) ON DELETE CASCADE,
        name                  TEXT NOT NULL,
        config                TEXT NOT NULL CHECK (json_valid(config)),
        status                TEXT NOT NULL CHECK (status IN
                                ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted', 'diverged')),
        -- Order among queued runs; NULL once a run has left the queue.
        queue_position        INTEGER,
        backend               TEXT,
        backend_reason        TEXT,
        device                TEXT,
        created_at            TEXT NOT NULL,
        -- Start of the latest session (a resumed run has several).
        started_at            TEXT,
        finished_at           TEXT,
        -- Running time summed over all sessions.
        duration_s            REAL,
        steps_done            INTEGER NOT NULL DEFAULT 0,
        total_steps           INTEGER,
        error                 TEXT,
        diverged_step         INTEGER,
        tags                  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
        notes                 TEXT NOT NULL DEFAULT '',
        test_accuracy         REAL,
        best_test_accuracy    REAL,
        val_accuracy          REAL,
        test_loss             REAL,
        train_flops           REAL,
        train_flops_ratio     REAL,
        inference_flops       REAL,
        inference_flops_ratio REAL,
        final_sparsity        REAL,
        parameters            INTEGER
      ) STRICT;
      CREATE INDEX runs_by_experiment ON runs (experiment_id);
      CREATE INDEX runs_by_status ON runs (status, queue_position);

      -- Long format; the key makes one metric of one run in step order a single range scan.
      -- value NULL stands for NaN, which SQLite cannot store.
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        step   INTEGER NOT NULL,
        epoch  REAL NOT NULL,
        value  REAL,
        PRIMARY KEY (run_id, name, step)
      ) STRICT, WITHOUT ROWID;

      -- id keeps the model's layer order within a step.
      CREATE TABLE layer_stats (
        id      INTEGER PRIMARY KEY,
        run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step    INTEGER NOT NULL,
        epoch   REAL NOT NULL,
        layer   TEXT NOT NULL,
        density REAL NOT NULL,
        active  INTEGER NOT NULL,
        params  INTEGER NOT NULL,
        flops   REAL NOT NULL,
        UNIQUE (run_id, step, layer)
      ) STRICT;
      CREATE INDEX layer_stats_by_layer ON layer_stats (run_id, layer, step);

      CREATE TABLE mask_updates (
        id      INTEGER PRIMARY KEY,
        run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step    INTEGER NOT NULL,
        layer   TEXT NOT NULL,
        active  INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        grown   INTEGER NOT NULL,
        UNIQUE (run_id, step, layer)
      ) STRICT;

      CREATE TABLE checkpoints (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step       INTEGER NOT NULL,
        epoch      REAL NOT NULL,
        path       TEXT NOT NULL,
        bytes      INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, step)
      ) STRICT;

      CREATE TABLE run_logs (
        id      INTEGER PRIMARY KEY,
        run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        time    TEXT NOT NULL,
        level   TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
        message TEXT NOT NULL
      ) STRICT;
      CREATE INDEX run_logs_by_run ON run_logs (run_id, id);
    `,
  },
  {
    // Several processes (the desktop app, CLI runs) share one file. Recording which process
    // runs a run lets start-up tell a crashed run from one another live process is training.
    name: '2026-11-25-run-owner-pid',
    sql: `ALTER TABLE runs ADD COLUMN owner_pid INTEGER;`,
  },
  {
    // App settings shared by the desktop app, web mode and the CLI; one JSON value per key.
    name: '2026-11-25-settings',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      ) STRICT;
    `,
  },
  {
    // How long a run trained while other runs did: their times are not the method's alone.
    // shared_s is NULL for runs trained before it was recorded. Every finished session is kept,
    // since a resumed run's row holds only its latest.
    name: '2026-12-02-run-shared-time',
    sql: `
      ALTER TABLE runs ADD COLUMN shared_s REAL;
      CREATE TABLE run_sessions (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        started_at  TEXT NOT NULL,
        finished_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX run_sessions_by_run ON run_sessions (run_id);
      CREATE INDEX run_sessions_by_end ON run_sessions (finished_at);
      INSERT INTO run_sessions (run_id, started_at, finished_at)
        SELECT id, started_at, finished_at FROM runs WHERE started_at IS NOT NULL AND finished_at IS NOT NULL;
    `,
  },
  {
    // A crashed process leaves no end time: seen_at is when its run last wrote metrics or a
    // checkpoint, so the session counts up to then (for a run left running by an older version,
    // its session's newest checkpoint). A resume redoes what came after its checkpoint: kept_until
    // is where the part of a session its run still keeps ends (NULL: all of it), while
    // finished_at stays where the session ended, a span other runs shared.
    name: '2026-12-03-run-seen-and-kept-time',
    sql: `
      ALTER TABLE runs ADD COLUMN seen_at TEXT;
      ALTER TABLE run_sessions ADD COLUMN kept_until TEXT;
      UPDATE runs SET seen_at = (SELECT MAX(created_at) FROM checkpoints c WHERE c.run_id = runs.id AND c.created_at >= runs.started_at)
        WHERE status = 'running';
    `,
  },
  {
    // The packages and libraries that did a run's arithmetic (RigL Lab, tfjs, TensorFlow): a
    // result is only reproducible with them. NULL for runs trained before they were recorded.
    name: '2026-12-04-run-backend-versions',
    sql: `ALTER TABLE runs ADD COLUMN backend_versions TEXT CHECK (backend_versions IS NULL OR json_valid(backend_versions));`,
  },
];
