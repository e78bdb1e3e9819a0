import { checkpointQueries } from './checkpoints.js';
import type { StoreContext } from './context.js';
import { experimentQueries } from './experiments.js';
import { exportQueries } from './export.js';
import { liveRunQueries } from './live-runs.js';
import { Recorder, type RecorderOptions } from './recorder.js';
import { runLifecycle } from './run-lifecycle.js';
import { runLogQueries } from './run-logs.js';
import { runReader } from './run-row.js';
import { runQueries } from './runs.js';
import { seriesQueries } from './series.js';
import { settingsQueries } from './settings.js';

export interface StoreInfo {
  file: string;
  readonly: boolean;
  schemaVersion: number;
  /** Migrations this open applied, oldest first (empty when the file was current). */
  appliedMigrations: string[];
}

/** Puts the query modules of one connection together behind one object. */
export function createStore(ctx: StoreContext, info: StoreInfo) {
  const runs = runReader(ctx);
  const series = seriesQueries(ctx);
  const checkpoints = checkpointQueries(ctx);
  return {
    ...info,
    ...experimentQueries(ctx),
    ...runQueries(ctx, runs),
    ...runLifecycle(ctx, runs, series),
    ...liveRunQueries(ctx),
    ...series,
    ...checkpoints,
    ...runLogQueries(ctx),
    ...settingsQueries(ctx),
    ...exportQueries(ctx, runs, series, checkpoints),
    /** A buffered writer of one run's metrics, layer stats, mask updates and checkpoints. */
    openRecorder(runId: number, options?: RecorderOptions): Recorder {
      runs.require(runId);
      return new Recorder(ctx, runId, options);
    },
    /** Problems PRAGMA integrity_check and foreign_key_check find; empty when the file is sound. */
    checkIntegrity(): string[] {
      const integrity = ctx.db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      const orphans = ctx.db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
      return [
        ...integrity.map((row) => row.integrity_check).filter((message) => message !== 'ok'),
        ...orphans.map((o) => `${o.table} row ${o.rowid} refers to a missing ${o.parent} row`),
      ];
    },
    close(): void {
      ctx.db.close();
    },
  };
}

export type Store = ReturnType<typeof createStore>;
