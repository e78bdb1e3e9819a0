import { z } from 'zod';
import { experimentSpecSchema } from '../config/experiment.js';
import { runConfigSchema } from '../config/run.js';
import { BACKENDS, DATASETS } from '../names.js';

/**
 * What the store holds, as it travels to a window or a browser. The store parses its rows into
 * these shapes and the renderer parses what arrives against them: one definition for both ends.
 */

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted', 'diverged'] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = (typeof RUN_STATUSES)[number];

export const backendNameSchema = z.enum(BACKENDS).exclude(['auto']);
export const backendVersionsSchema = z.record(z.string().min(1), z.string().min(1));
export const tagsSchema = experimentSpecSchema.shape.tags;

/** What a finished run reports; null where the run did not measure it. */
export const finalMetricsSchema = z.object({
  testAccuracy: z.number().nullable(),
  bestTestAccuracy: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  testLoss: z.number().nullable(),
  trainFlops: z.number().nullable(),
  inferenceFlops: z.number().nullable(),
  inferenceFlopsRatio: z.number().nullable(),
  finalSparsity: z.number().nullable(),
  parameters: z.int().nullable(),
});
export type FinalMetrics = z.infer<typeof finalMetricsSchema>;

export const runRecordSchema = z.object({
  id: z.int(),
  /** null for a one-off run. */
  experimentId: z.int().nullable(),
  name: z.string(),
  config: runConfigSchema,
  status: runStatusSchema,
  queuePosition: z.int().nullable(),
  /** The backend the run actually used, and why it was chosen. */
  backend: backendNameSchema.nullable(),
  backendReason: z.string().nullable(),
  device: z.string().nullable(),
  /** Package and library versions that did the arithmetic, e.g. { 'rigl-lab': '0.1.0', 'tfjs-core': '4.22.0', tensorflow: '2.9.1' }; null before they were recorded. */
  backendVersions: backendVersionsSchema.nullable(),
  /** The process that runs it, while it is running. */
  ownerPid: z.int().nullable(),
  createdAt: z.string(),
  /** Start of the latest session; a resumed run has several. */
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Running time summed over all sessions, less what a resume redid (the time after the checkpoint it continued from). */
  durationS: z.number().nullable(),
  /**
   * Of durationS, the seconds during which other runs of this store trained too (sharing the
   * processor or GPU); null where not known (runs trained before it was recorded).
   */
  sharedS: z.number().nullable(),
  stepsDone: z.int(),
  totalSteps: z.int().nullable(),
  error: z.string().nullable(),
  divergedStep: z.int().nullable(),
  tags: tagsSchema,
  notes: z.string(),
  ...finalMetricsSchema.shape,
  /** Training FLOPs as a multiple of the standard dense run's (plan.ts trainFlopsRatio): worked out from trainFlops and the config when read. */
  trainFlopsRatio: z.number().nullable(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const experimentRecordSchema = z.object({
  id: z.int(),
  name: z.string(),
  description: z.string(),
  tags: tagsSchema,
  preset: z.string().nullable(),
  /** The spec as the user gave it (grid and base config), before expansion into runs. */
  spec: experimentSpecSchema,
  createdAt: z.string(),
});
export type ExperimentRecord = z.infer<typeof experimentRecordSchema>;

export const experimentSummarySchema = experimentRecordSchema.extend({
  /** How many of its runs are in each status. */
  runCounts: z.record(runStatusSchema, z.int()),
});
export type ExperimentSummary = z.infer<typeof experimentSummarySchema>;

export const metricPointSchema = z.object({
  step: z.int(),
  epoch: z.number(),
  /** null where training produced NaN (SQLite and JSON both turn NaN into null). */
  value: z.number().nullable(),
});
export type MetricPoint = z.infer<typeof metricPointSchema>;

export const metricSeriesSchema = z.object({ name: z.string(), points: z.array(metricPointSchema) });
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

export const layerStatSchema = z.object({
  step: z.int(),
  epoch: z.number(),
  layer: z.string(),
  density: z.number(),
  active: z.int(),
  params: z.int(),
  /** Forward FLOPs per example at this density. */
  flops: z.number(),
});
export type LayerStatRecord = z.infer<typeof layerStatSchema>;

export const maskUpdateSchema = z.object({
  step: z.int(),
  layer: z.string(),
  active: z.int(),
  dropped: z.int(),
  grown: z.int(),
});
export type MaskUpdateRecord = z.infer<typeof maskUpdateSchema>;

export const checkpointRecordSchema = z.object({
  id: z.int(),
  runId: z.int(),
  step: z.int(),
  epoch: z.number(),
  path: z.string(),
  bytes: z.int(),
  createdAt: z.string(),
});
export type CheckpointRecord = z.infer<typeof checkpointRecordSchema>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const runLogSchema = z.object({
  id: z.int(),
  time: z.string(),
  level: z.enum(LOG_LEVELS),
  message: z.string(),
});
export type RunLogRecord = z.infer<typeof runLogSchema>;

export const datasetStatusSchema = z.object({
  name: z.enum(DATASETS),
  label: z.string(),
  available: z.boolean(),
  /** What a load would read first. */
  from: z.enum(['cache', 'raw', 'system']).nullable(),
  /** The decoded cache, as its headers describe it. */
  cache: z.object({ folder: z.string(), bytes: z.int(), trainCount: z.int(), testCount: z.int() }).nullable(),
  /** The first original copy: imported/downloaded into the data directory, or system-installed. */
  original: z.object({ kind: z.enum(['raw', 'system']), path: z.string(), bytes: z.int() }).nullable(),
  /** Caches or copies that exist but cannot be used, and why. */
  problems: z.array(z.string()),
});
export type DatasetStatus = z.infer<typeof datasetStatusSchema>;
