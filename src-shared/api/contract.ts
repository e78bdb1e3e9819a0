import { z } from 'zod';
import { experimentSpecSchema } from '../config/experiment.js';
import { BACKENDS, DATASETS } from '../names.js';
import {
  checkpointRecordSchema,
  datasetStatusSchema,
  experimentRecordSchema,
  experimentSummarySchema,
  layerStatSchema,
  maskUpdateSchema,
  metricSeriesSchema,
  runLogSchema,
  runRecordSchema,
  runStatusSchema,
  tagsSchema,
} from './records.js';

/**
 * The one contract between the renderer and the back end, whether it travels over Electron IPC
 * or a WebSocket: every method with the schema of its parameters and of its result, every event
 * with the schema of its payload. The back end parses params on arrival (nothing trusts the
 * renderer); the renderer parses results and events.
 */

const id = z.int().min(1);

export const backendAvailabilitySchema = z.object({
  name: z.enum(BACKENDS).exclude(['auto']),
  available: z.boolean(),
  reason: z.string(),
});

export const settingsSchema = z.strictObject({
  /** The backend new runs ask for. */
  backend: z.enum(BACKENDS),
  /** Runs trained at the same time on this machine. */
  concurrency: z.int().min(1).max(16),
});
export type Settings = z.infer<typeof settingsSchema>;

export const systemInfoSchema = z.object({
  version: z.string(),
  /** `electron` for the desktop window, `web` for `rigl-lab serve`. */
  mode: z.enum(['electron', 'web']),
  dbPath: z.string(),
  dataDir: z.string(),
  platform: z.string(),
  cpus: z.int(),
  backends: z.array(backendAvailabilitySchema),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const runProgressSchema = z.object({
  runId: id,
  step: z.int(),
  totalSteps: z.int(),
  epoch: z.number(),
  loss: z.number().nullable(),
  accuracy: z.number().nullable(),
  lr: z.number(),
  examplesPerSecond: z.number(),
  /** Seconds left at the current speed. */
  etaSeconds: z.number().nullable(),
  /** The run's time so far as its finished record counts it: every session, from start to now (the worker's clock, not the browser's). */
  elapsedSeconds: z.number(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

export const queueStateSchema = z.object({
  paused: z.boolean(),
  concurrency: z.int(),
  /** Runs training now, with their latest progress. */
  active: z.array(z.object({ runId: id, progress: runProgressSchema.nullable() })),
  /**
   * Runs another process trains on the same database (a `rigl-lab run` in a terminal, a second
   * window), with their latest progress as they recorded it; the process that trains them
   * (`ownerPid`) stops them, not this queue.
   */
  elsewhere: z.array(z.object({ runId: id, ownerPid: z.int().nullable(), progress: runProgressSchema.nullable() })),
  /** Queued runs in the order they will start. */
  queued: z.array(id),
  /** Why the queue could not go on by itself (a database error in starting the next run, say); it tries again on its own. */
  problem: z.string().nullable(),
});
export type QueueState = z.infer<typeof queueStateSchema>;

export const runOrderSchema = z.enum(['newest', 'oldest', 'name', 'queue', 'testAccuracy']);

export const runQuerySchema = z.strictObject({
  /** Only these runs (e.g. the selection to compare). */
  ids: z.array(id).min(1).max(5000).optional(),
  status: z.array(runStatusSchema).optional(),
  experimentId: id.nullable().optional(),
  search: z.string().max(200).optional(),
  limit: z.int().min(1).max(5000).default(200),
  offset: z.int().min(0).default(0),
  orderBy: runOrderSchema.default('newest'),
});
export type RunQuery = z.input<typeof runQuerySchema>;

const exportFileSchema = z.object({ filename: z.string(), mime: z.string(), content: z.string() });
export type ExportFile = z.infer<typeof exportFileSchema>;

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const none = z.strictObject({});
const ok = z.object({ ok: z.literal(true) });

export const API_METHODS = {
  'system.info': method(none, systemInfoSchema),
  'settings.get': method(none, settingsSchema),
  'settings.update': method(settingsSchema.partial().strict(), settingsSchema),

  'datasets.list': method(none, z.array(datasetStatusSchema)),
  /** Starts a download; progress arrives as `dataset.progress` events. */
  'datasets.fetch': method(z.strictObject({ name: z.enum(DATASETS) }), ok),
  /** Imports from an archive or folder on the machine that runs the back end. */
  'datasets.import': method(z.strictObject({ name: z.enum(DATASETS), path: z.string().min(1).max(4096) }), datasetStatusSchema),

  /** Writes the experiment and its queued runs; the queue starts them. */
  'experiments.create': method(z.strictObject({ spec: experimentSpecSchema }), z.object({ experimentId: id, runIds: z.array(id) })),
  'experiments.list': method(none, z.array(experimentSummarySchema)),
  'experiments.get': method(z.strictObject({ id }), z.object({ experiment: experimentRecordSchema, runs: z.array(runRecordSchema) })),
  'experiments.delete': method(z.strictObject({ id }), ok),

  'runs.list': method(runQuerySchema, z.object({ total: z.int(), runs: z.array(runRecordSchema) })),
  'runs.get': method(
    z.strictObject({ id }),
    z.object({
      run: runRecordSchema,
      layers: z.array(layerStatSchema),
      checkpoints: z.array(checkpointRecordSchema),
      /** The newest lines of the log, in the order written. */
      logs: z.array(runLogSchema),
      /** Lines written before those, not sent. */
      earlierLogs: z.int().min(0),
    }),
  ),
  'runs.metrics': method(
    z.strictObject({
      ids: z.array(id).min(1).max(500),
      names: z.array(z.string().max(100)).max(50).optional(),
      maxPoints: z.int().min(2).max(100000).optional(),
    }),
    z.array(z.object({ runId: id, series: z.array(metricSeriesSchema) })),
  ),
  'runs.layerHistory': method(z.strictObject({ id }), z.array(layerStatSchema)),
  'runs.maskUpdates': method(z.strictObject({ id }), z.array(maskUpdateSchema)),
  'runs.logs': method(z.strictObject({ id, afterId: z.int().min(0).optional() }), z.array(runLogSchema)),
  'runs.update': method(z.strictObject({ id, tags: tagsSchema.optional(), notes: z.string().max(20000).optional() }), runRecordSchema),
  'runs.delete': method(z.strictObject({ ids: z.array(id).min(1).max(5000) }), z.object({ deleted: z.int() })),
  'runs.export': method(z.strictObject({ id, format: z.enum(['json', 'csv']) }), exportFileSchema),
  /** Summary rows of several runs (config and final metrics) as CSV. */
  'runs.exportSummary': method(z.strictObject({ ids: z.array(id).min(1).max(5000) }), exportFileSchema),

  'queue.state': method(none, queueStateSchema),
  'queue.pause': method(none, queueStateSchema),
  'queue.resume': method(none, queueStateSchema),
  'queue.cancel': method(z.strictObject({ runId: id }), queueStateSchema),
  /** A stopped run goes back to the queue (resuming from its checkpoint); a completed one is copied as a new run. */
  'queue.rerun': method(z.strictObject({ runId: id }), z.object({ runId: id })),
  'queue.move': method(z.strictObject({ runId: id, position: z.int().min(0) }), queueStateSchema),
} as const;

export type ApiMethod = keyof typeof API_METHODS;
export type ApiParams<M extends ApiMethod> = z.input<(typeof API_METHODS)[M]['params']>;
export type ApiParsedParams<M extends ApiMethod> = z.output<(typeof API_METHODS)[M]['params']>;
export type ApiResult<M extends ApiMethod> = z.output<(typeof API_METHODS)[M]['result']>;

export const datasetProgressSchema = z.object({
  name: z.enum(DATASETS),
  phase: z.enum(['download', 'import', 'done', 'error']),
  receivedBytes: z.number(),
  totalBytes: z.number().nullable(),
  file: z.string().nullable(),
  error: z.string().nullable(),
});
export type DatasetProgress = z.infer<typeof datasetProgressSchema>;

export const API_EVENTS = {
  'run.progress': runProgressSchema,
  'run.status': z.object({ runId: id, status: runStatusSchema, error: z.string().nullable() }),
  /** An epoch ended: its metrics are in the store. */
  'run.epoch': z.object({ runId: id, epoch: z.int(), testAccuracy: z.number().nullable() }),
  /** Runs or experiments were created, changed or deleted. */
  'runs.changed': z.object({ runIds: z.array(id) }),
  'queue.changed': queueStateSchema,
  'dataset.progress': datasetProgressSchema,
} as const;

export type ApiEvent = keyof typeof API_EVENTS;
export type ApiEventPayload<E extends ApiEvent> = z.output<(typeof API_EVENTS)[E]>;

/** Messages larger than this are refused on arrival (a WebSocket frame or an IPC call). */
export const MAX_MESSAGE_BYTES = 1_000_000;

export const requestSchema = z.strictObject({
  id: z.int().min(0),
  method: z.string().max(100),
  params: z.unknown(),
});
export type ApiRequest = z.infer<typeof requestSchema>;

export const apiErrorSchema = z.object({
  message: z.string(),
  /** Field-level problems, each naming a field of the params. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const responseSchema = z.union([
  z.object({ id: z.int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.int(), ok: z.literal(false), error: apiErrorSchema }),
]);
export type ApiResponse = z.infer<typeof responseSchema>;

export const eventMessageSchema = z.object({ event: z.string(), payload: z.unknown() });
export type ApiEventMessage = z.infer<typeof eventMessageSchema>;

export function isApiMethod(name: string): name is ApiMethod {
  return Object.hasOwn(API_METHODS, name);
}

export function isApiEvent(name: string): name is ApiEvent {
  return Object.hasOwn(API_EVENTS, name);
}
