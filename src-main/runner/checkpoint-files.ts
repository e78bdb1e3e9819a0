import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type TrainingCheckpoint } from '../engine/checkpoint.js';
import { resumeOutcome } from '../../src-shared/format/resume.js';
import type { Store } from '../store/index.js';

/**
 * Checkpoints live beside the database, in a folder of its own: `<db folder>/checkpoints/<db file
 * name>/run-<id>/`. Every database numbers its runs from 1, so two databases in one folder that
 * shared `checkpoints/run-<id>/` overwrote (and pruned) each other's files, and a resume could
 * continue from another database's run. Checkpoints written before keep their recorded paths.
 */
export function checkpointDir(dbPath: string, runId: number): string {
  return join(dirname(dbPath), 'checkpoints', basename(dbPath), `run-${runId}`);
}

/**
 * Writes a checkpoint so that a crash at any moment leaves either the previous file set or the
 * new one: a temporary file, fsync, rename, fsync of the folder.
 */
export function writeCheckpointFile(dir: string, checkpoint: TrainingCheckpoint): { path: string; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `step-${String(checkpoint.step).padStart(9, '0')}.ckpt`);
  const temp = `${path}.tmp-${process.pid}`;
  const bytes = encodeCheckpoint(checkpoint);
  const fd = openSync(temp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw new Error(`cannot write checkpoint ${path}: ${(error as Error).message}`, { cause: error });
  }
  closeSync(fd);
  renameSync(temp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return { path, bytes: bytes.length };
}

/** Keeps the newest `keep` checkpoints of a run (files and rows); older ones and stray files go. */
export function pruneCheckpoints(store: Store, runId: number, dir: string, keep: number): void {
  const records = store.listCheckpoints(runId);
  const kept = new Set(records.slice(-keep).map((c) => basename(c.path)));
  for (const old of records.slice(0, -keep)) {
    rmSync(old.path, { force: true });
    store.deleteCheckpoint(old.id);
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) if (!kept.has(name)) rmSync(join(dir, name), { force: true });
}

export interface LoadedCheckpoint {
  checkpoint: TrainingCheckpoint;
  path: string;
  /** When it was written. */
  createdAt: string;
}

/**
 * The newest checkpoint of a run that reads back whole; damaged or missing files are skipped
 * (and reported) in favour of older ones.
 */
export function loadLatestCheckpoint(store: Store, runId: number, report: (problem: string) => void): LoadedCheckpoint | null {
  for (const record of store.listCheckpoints(runId).reverse()) {
    try {
      return { checkpoint: decodeCheckpoint(readFileSync(record.path), record.path), path: record.path, createdAt: record.createdAt };
    } catch (error) {
      report(`skipping checkpoint at step ${record.step}: ${(error as Error).message}`);
    }
  }
  return null;
}

/** What Re-run or `rigl-lab resume` does with a run stopped now, from its newest checkpoint row. */
export function resumeNote(store: Store, runId: number): string {
  return `Re-run or \`rigl-lab resume\` ${resumeOutcomeOf(store, runId)}`;
}

/** What resuming this stopped run does, from its stored checkpoints ("continues it from its checkpoint at step 1,200"). */
export function resumeOutcomeOf(store: Store, runId: number): string {
  const steps = store.listCheckpoints(runId).map((c) => c.step);
  const every = store.getRun(runId)?.config.checkpointEvery ?? 1;
  return resumeOutcome(steps.length > 0 ? Math.max(...steps) : null, every);
}
