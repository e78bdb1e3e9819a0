import { z } from 'zod';
import { DISTRIBUTIONS, METHODS } from '../names.js';
import { inferenceFlopsAt, smallDenseWidth, sparsityForInferenceFlops } from '../sparsity/matching.js';
import {
  ConfigError,
  REDISTRIBUTIONS,
  parseWith,
  recipeDefaults,
  resolveRunConfig,
  runConfigInputSchema,
  newRunConfigSchema,
  runConfigSchema,
  type RunConfig,
} from './run.js';

/**
 * Axes a grid can sweep, each with the values it takes and where it lands in a run's config.
 * One table so that the CLI, the form and config files agree on names.
 */
const AXES = {
  method: { values: z.enum(METHODS), set: (c: RunConfig, v: RunConfig['method']) => void (c.method = v) },
  sparsity: { values: runConfigSchema.shape.sparsity, set: (c: RunConfig, v: number) => void (c.sparsity = v) },
  distribution: {
    values: z.enum(DISTRIBUTIONS),
    set: (c: RunConfig, v: RunConfig['distribution']) => void (c.distribution = v),
  },
  seed: { values: runConfigSchema.shape.seed, set: (c: RunConfig, v: number) => void (c.seed = v) },
  alpha: { values: z.number().gt(0).max(1), set: (c: RunConfig, v: number) => void (c.maskUpdate.alpha = v) },
  deltaT: { values: z.int().min(1), set: (c: RunConfig, v: number) => void (c.maskUpdate.deltaT = v) },
  redistribution: {
    values: z.enum(REDISTRIBUTIONS),
    set: (c: RunConfig, v: RunConfig['maskUpdate']['redistribution']) => void (c.maskUpdate.redistribution = v),
  },
  trainingMultiplier: {
    values: runConfigSchema.shape.trainingMultiplier,
    set: (c: RunConfig, v: number) => void (c.trainingMultiplier = v),
  },
  widthMultiplier: {
    values: runConfigSchema.shape.widthMultiplier,
    set: (c: RunConfig, v: number) => void (c.widthMultiplier = v),
  },
  lr: { values: z.number().positive().max(100), set: (c: RunConfig, v: number) => void (c.optimizer.lr = v) },
  weightDecay: { values: z.number().min(0).max(1), set: (c: RunConfig, v: number) => void (c.optimizer.weightDecay = v) },
  epochs: { values: runConfigSchema.shape.epochs, set: (c: RunConfig, v: number) => void (c.epochs = v) },
  batchSize: { values: runConfigSchema.shape.batchSize, set: (c: RunConfig, v: number) => void (c.batchSize = v) },
} as const;

export type GridAxis = keyof typeof AXES;
export const GRID_AXES = Object.keys(AXES) as GridAxis[];

const gridShape = Object.fromEntries(
  Object.entries(AXES).map(([name, axis]) => [name, z.array(axis.values).min(1, 'needs at least one value').max(1000).optional()]),
) as { [K in GridAxis]: z.ZodOptional<z.ZodArray<(typeof AXES)[K]['values']>> };

export const gridSchema = z.strictObject(gridShape);
export type Grid = z.infer<typeof gridSchema>;

/**
 * Runs derived from the grid rather than crossed with it: the report's Small-Dense baselines and
 * FLOP-matched sparsities.
 */
export const derivedRunsSchema = z.strictObject({
  /** For every sparse run of the grid, a dense network whose width gives it the same parameter count. */
  smallDense: z.boolean().default(false),
  /**
   * For every run of the grid with the `reference` distribution, a run with the `matched` one at
   * the sparsity where its inference FLOPs equal the reference's.
   */
  flopMatched: z
    .strictObject({ reference: z.enum(DISTRIBUTIONS), matched: z.enum(DISTRIBUTIONS) })
    .refine((m) => m.reference !== m.matched, 'reference and matched distributions must differ')
    .optional(),
});
export type DerivedRuns = z.infer<typeof derivedRunsSchema>;

export const EXPERIMENT_NAME_MAX = 200;

export const experimentSpecSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(EXPERIMENT_NAME_MAX),
  description: z.string().max(20000).default(''),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
  /** The preset this experiment started from, if any. */
  preset: z.string().max(100).optional(),
  base: runConfigInputSchema.default({}),
  grid: gridSchema.default({}),
  derived: derivedRunsSchema.default({ smallDense: false }),
});
export type ExperimentSpec = z.infer<typeof experimentSpecSchema>;
export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;

export const MAX_GRID_RUNS = 5000;

export function parseExperimentSpec(input: unknown): ExperimentSpec {
  return refuseRepeatedGridValues(parseWith(experimentSpecSchema, input));
}

/**
 * A spec whose grid lists no value twice, which would name the grid after both and train the
 * same runs once. Checked where specs come in (files, flags, the api), not where stored ones are
 * read back: older versions stored such grids.
 */
export function refuseRepeatedGridValues(spec: ExperimentSpec): ExperimentSpec {
  const issues = Object.entries(spec.grid).flatMap(([axis, values]: [string, unknown[] | undefined]) => {
    const seen = new Set<string>();
    const twice = (values ?? []).map((v) => JSON.stringify(v)).find((key) => seen.has(key) || !seen.add(key));
    return twice === undefined ? [] : [{ path: `grid.${axis}`, message: `lists ${twice} twice` }];
  });
  if (issues.length > 0) throw new ConfigError(issues.map((i) => `${i.path}: ${i.message}`).join('\n'), issues);
  return spec;
}

/**
 * Fields a method does not read are reset to the recipe's values, so that a grid crossing dense
 * with four sparsities yields one dense run, not four identical ones under different labels.
 */
export function canonicalRunConfig(config: RunConfig): RunConfig {
  const recipe = recipeDefaults(config.dataset, config.model);
  const out: RunConfig = JSON.parse(JSON.stringify(config)) as RunConfig;
  if (out.method === 'dense') {
    out.sparsity = 0;
    out.distribution = recipe.distribution;
    out.denseFirstLayer = false;
    out.layerSparsity = {};
  }
  if (out.method !== 'set' && out.method !== 'snfs' && out.method !== 'rigl') out.maskUpdate = recipe.maskUpdate;
  if (out.method !== 'pruning') out.pruning = recipe.pruning;
  return out;
}

/** The runs of a grid: the cartesian product of its axes over the base config, duplicates removed. */
export function expandExperiment(spec: ExperimentSpec): RunConfig[] {
  const base = resolveRunConfig(spec.base);
  let configs: RunConfig[] = [base];
  for (const axis of GRID_AXES) {
    const values = spec.grid[axis] as unknown[] | undefined;
    if (!values) continue;
    const set = AXES[axis].set as (c: RunConfig, v: unknown) => void;
    configs = configs.flatMap((c) =>
      values.map((v) => {
        const next = JSON.parse(JSON.stringify(c)) as RunConfig;
        set(next, v);
        return next;
      }),
    );
    if (configs.length > MAX_GRID_RUNS) {
      throw new Error(`grid: expands to more than ${MAX_GRID_RUNS} runs; split the experiment`);
    }
  }
  configs = [...configs, ...derivedConfigs(configs, spec.derived)];
  const seen = new Set<string>();
  const runs: RunConfig[] = [];
  for (const config of configs) {
    const canonical = parseWith(newRunConfigSchema, canonicalRunConfig(config), 'grid');
    const key = JSON.stringify(canonical);
    if (!seen.has(key)) {
      seen.add(key);
      runs.push(canonical);
    }
  }
  return runs;
}

function derivedConfigs(configs: RunConfig[], derived: DerivedRuns): RunConfig[] {
  const out: RunConfig[] = [];
  for (const c of configs) {
    if (derived.smallDense && c.method !== 'dense' && c.sparsity > 0) {
      out.push({ ...c, method: 'dense', widthMultiplier: smallDenseWidth(c, c.sparsity) });
    }
    const match = derived.flopMatched;
    if (match && c.method !== 'dense' && c.distribution === match.reference && c.sparsity > 0) {
      const target = inferenceFlopsAt(c, match.reference, c.sparsity);
      out.push({ ...c, distribution: match.matched, sparsity: sparsityForInferenceFlops(c, match.matched, target) });
    }
  }
  return out;
}
