import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { decodeCheckpoint } from '../../src-main/engine/checkpoint.js';
import { BIN } from '../helpers/cli.js';

/** The run every kill point interrupts: small enough to train in about a second, with every kind of state. */
export const FAULT_RUN = {
  dataset: 'fashion-mnist',
  model: 'mlp',
  method: 'rigl',
  sparsity: 0.9,
  distribution: 'erk',
  epochs: 6,
  trainSubset: 550,
  testSubset: 300,
  validationFraction: 0.1,
  batchSize: 45,
  dropout: 0.1,
  logEvery: 1,
  maskUpdate: { deltaT: 5 },
  backend: 'wasm',
  checkpointEvery: 1,
  keepCheckpoints: 2,
} as const;

/** Metrics that do not depend on the clock: these must match exactly after any resume. */
const EXACT_METRICS = ['train_loss', 'train_accuracy', 'lr', 'train_flops', 'epoch_train_loss', 'epoch_train_accuracy', 'test_loss', 'test_accuracy', 'val_loss', 'val_accuracy'];

export function writeExperiment(dir: string, name: string, base: Record<string, unknown> = FAULT_RUN): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, base }));
  return file;
}

export function spawnCli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

function readDb<T>(dbPath: string, f: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

/** Everything stored about one run that training determines (no clock readings). */
export function runRecord(dbPath: string, runId: number) {
  return readDb(dbPath, (db) => ({
    status: (db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string) ?? null,
    final: db
      .prepare('SELECT test_accuracy, best_test_accuracy, val_accuracy, test_loss, train_flops, train_flops_ratio, inference_flops, final_sparsity, steps_done FROM runs WHERE id = ?')
      .get(runId),
    metrics: db
      .prepare(`SELECT name, step, epoch, value FROM metrics WHERE run_id = ? AND name IN (${EXACT_METRICS.map(() => '?').join(',')}) ORDER BY name, step`)
      .all(runId, ...EXACT_METRICS),
    layers: db.prepare('SELECT step, epoch, layer, density, active, params, flops FROM layer_stats WHERE run_id = ? ORDER BY step, id').all(runId),
    maskUpdates: db.prepare('SELECT step, layer, active, dropped, grown FROM mask_updates WHERE run_id = ? ORDER BY step, id').all(runId),
  }));
}

/** The weights and masks in a run's newest checkpoint. */
export function finalTensors(dbPath: string, runId: number) {
  const path = readDb(dbPath, (db) => db.prepare('SELECT path FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1').pluck().get(runId) as string);
  const { tensors, step } = decodeCheckpoint(readFileSync(path), path);
  return { step, params: tensors.params, masks: tensors.masks };
}

/** Rows per completed run: none of them may change when another run is killed. */
export function completedRowCounts(dbPath: string): Record<number, number> {
  if (!existsSync(dbPath)) return {};
  return readDb(dbPath, (db) =>
    Object.fromEntries(
      (db.prepare("SELECT id FROM runs WHERE status = 'completed'").pluck().all() as number[]).map((id) => [
        id,
        (db.prepare('SELECT (SELECT count(*) FROM metrics WHERE run_id = ?) + (SELECT count(*) FROM layer_stats WHERE run_id = ?) + (SELECT count(*) FROM mask_updates WHERE run_id = ?)').pluck().get(id, id, id) as number),
      ]),
    ),
  );
}

export function integrity(dbPath: string): string[] {
  return readDb(dbPath, (db) => (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).filter((m) => m !== 'ok'));
}

export function runStatus(dbPath: string, runId: number): string {
  return readDb(dbPath, (db) => db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string);
}

export function runIdByName(dbPath: string, name: string): number | undefined {
  return readDb(dbPath, (db) => db.prepare('SELECT id FROM runs WHERE name = ? ORDER BY id DESC').pluck().get(name) as number | undefined);
}

/** A resumed run must equal the reference run in every number training determines. */
export function expectSameRun(dbPath: string, runId: number, referenceDb: string, referenceId: number): void {
  const actual = runRecord(dbPath, runId);
  const expected = runRecord(referenceDb, referenceId);
  expect(actual.status).toBe('completed');
  expect(actual.final).toEqual(expected.final);
  expect(actual.metrics).toEqual(expected.metrics);
  expect(actual.layers).toEqual(expected.layers);
  expect(actual.maskUpdates).toEqual(expected.maskUpdates);
  expect(finalTensors(dbPath, runId)).toEqual(finalTensors(referenceDb, referenceId));
}

export interface FaultSummary {
  killPoints: number;
  killsSurvived: number;
  resumes: number;
  resumesIdentical: number;
  badInputs: number;
  inputsRejected: number;
  rowsLost: number;
  notes: string[];
}

export const summary: FaultSummary = { killPoints: 0, killsSurvived: 0, resumes: 0, resumesIdentical: 0, badInputs: 0, inputsRejected: 0, rowsLost: 0, notes: [] };

export function printSummary(): void {
  const lines = [
    'fault suite summary',
    `  kill points           ${summary.killsSurvived}/${summary.killPoints} survived (database intact, completed runs unchanged, run resumable)`,
    `  resumes               ${summary.resumesIdentical}/${summary.resumes} identical to the uninterrupted run`,
    `  bad inputs            ${summary.inputsRejected}/${summary.badInputs} rejected with an error naming the field or file, nothing stored changed`,
    `  rows lost             ${summary.rowsLost}`,
    ...summary.notes.map((n) => `  note: ${n}`),
  ];
  console.log(lines.join('\n'));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
