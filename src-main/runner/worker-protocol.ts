import { z } from 'zod';
import { runProgressSchema } from '../../src-shared/api/contract.js';
import { runStatusSchema } from '../../src-shared/api/records.js';

/** Messages between the queue and a training worker (a child process or an Electron utility process). */

export const toWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), runId: z.int().min(1), dbPath: z.string(), dataDir: z.string() }),
  z.strictObject({ type: z.literal('cancel') }),
  /** Stop as a SIGTERM stops a CLI run: interrupted, resumable, keeping what it measured; `why` completes "stopped …". */
  z.strictObject({ type: z.literal('interrupt'), why: z.string() }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('progress'), progress: runProgressSchema }),
  z.strictObject({ type: z.literal('epoch'), runId: z.int(), epoch: z.int(), testAccuracy: z.number().nullable() }),
  z.strictObject({ type: z.literal('finished'), runId: z.int(), status: runStatusSchema, error: z.string().nullable() }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
