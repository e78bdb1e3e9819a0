import type { DerivedRuns, ExperimentSpecInput, GridAxis } from '../../src-shared/config/experiment.js';
import { recipeDefaults, resolveRunConfig, type Redistribution, type RunConfig } from '../../src-shared/config/run.js';
import { dataAndModel } from '../../src-shared/datasets.js';
import type { DistributionName, MethodName } from '../../src-shared/names.js';

/** Grid axes that take numbers typed as a list, beyond sparsity and seed (issue: sweep any hyper-parameter). */
export const NUMERIC_SWEEP_AXES = ['alpha', 'deltaT', 'trainingMultiplier', 'widthMultiplier', 'lr', 'weightDecay', 'epochs', 'batchSize'] as const;
export type NumericSweepAxis = (typeof NUMERIC_SWEEP_AXES)[number];

/** Where each numeric sweep axis lands in a run's config: the form greys that field out while it is swept. */
export const SWEEP_FIELD: Record<NumericSweepAxis, string> = {
  alpha: 'maskUpdate.alpha',
  deltaT: 'maskUpdate.deltaT',
  trainingMultiplier: 'trainingMultiplier',
  widthMultiplier: 'widthMultiplier',
  lr: 'optimizer.lr',
  weightDecay: 'optimizer.weightDecay',
  epochs: 'epochs',
  batchSize: 'batchSize',
};

export const SWEEP_LABELS: Record<NumericSweepAxis, string> = {
  alpha: 'α (drop fraction)',
  deltaT: 'ΔT (update interval)',
  trainingMultiplier: 'Training multiplier',
  widthMultiplier: 'Width multiplier',
  lr: 'Learning rate',
  weightDecay: 'Weight decay',
  epochs: 'Epochs',
  batchSize: 'Batch size',
};

/**
 * What the form edits: one full run config for everything that is not swept, plus the values
 * of each grid axis. The config is complete (every field from the recipe) so that every input
 * has a value to show; `specFromForm` turns it into the experiment spec the back end receives.
 */
export interface ExperimentForm {
  name: string;
  description: string;
  tags: string[];
  preset: string | null;
  config: RunConfig;
  methods: MethodName[];
  sparsities: number[];
  distributions: DistributionName[];
  redistributions: Redistribution[];
  seeds: number[];
  sweeps: Array<{ axis: NumericSweepAxis; values: number[] }>;
  /** Runs added beside the grid: Small-Dense baselines, FLOP-matched distributions. */
  derived: { smallDense: boolean; flopMatched: NonNullable<DerivedRuns['flopMatched']> | null };
}

export function blankForm(): ExperimentForm {
  const config = recipeDefaults('fashion-mnist', 'mlp');
  return {
    name: dataAndModel(config.dataset, config.model),
    description: '',
    tags: [],
    preset: null,
    config,
    methods: ['static', 'rigl'],
    sparsities: [0.8, 0.9],
    distributions: [config.distribution],
    redistributions: [config.maskUpdate.redistribution],
    seeds: [0],
    sweeps: [],
    derived: { smallDense: false, flopMatched: null },
  };
}

function isNumericSweepAxis(axis: string): axis is NumericSweepAxis {
  return (NUMERIC_SWEEP_AXES as readonly string[]).includes(axis);
}

/** Fills the form from a spec (a preset, or an earlier experiment to run again). Throws a ConfigError for a bad base. */
export function formFromSpec(spec: ExperimentSpecInput): ExperimentForm {
  const config = resolveRunConfig(spec.base ?? {});
  const grid = spec.grid ?? {};
  const sweeps: ExperimentForm['sweeps'] = [];
  for (const [axis, values] of Object.entries(grid)) {
    if (isNumericSweepAxis(axis) && Array.isArray(values)) sweeps.push({ axis, values: values as number[] });
  }
  return {
    name: spec.name,
    description: spec.description ?? '',
    tags: [...(spec.tags ?? [])],
    preset: spec.preset ?? null,
    config,
    methods: [...(grid.method ?? [config.method])],
    sparsities: [...(grid.sparsity ?? [config.sparsity])],
    distributions: [...(grid.distribution ?? [config.distribution])],
    redistributions: [...(grid.redistribution ?? [config.maskUpdate.redistribution])],
    seeds: [...(grid.seed ?? [config.seed])],
    sweeps,
    derived: { smallDense: spec.derived?.smallDense ?? false, flopMatched: spec.derived?.flopMatched ? { ...spec.derived.flopMatched } : null },
  };
}

/** The experiment spec the form describes: base config without the swept fields, and the grid. */
export function specFromForm(form: ExperimentForm): ExperimentSpecInput {
  const { method: _method, sparsity: _sparsity, distribution: _distribution, seed: _seed, trainSubset, testSubset, ...rest } = form.config;
  const base: NonNullable<ExperimentSpecInput['base']> = { ...rest, maskUpdate: { ...rest.maskUpdate } };
  if (trainSubset !== undefined) base.trainSubset = trainSubset;
  if (testSubset !== undefined) base.testSubset = testSubset;
  const grid: Partial<Record<GridAxis, unknown[]>> = {
    method: form.methods,
    sparsity: form.sparsities,
    distribution: form.distributions,
    redistribution: form.redistributions,
    seed: form.seeds,
  };
  for (const sweep of form.sweeps) grid[sweep.axis] = sweep.values;
  const spec: ExperimentSpecInput = {
    name: form.name,
    description: form.description,
    tags: form.tags,
    base,
    grid: grid as ExperimentSpecInput['grid'],
    derived: { smallDense: form.derived.smallDense, ...(form.derived.flopMatched ? { flopMatched: form.derived.flopMatched } : {}) },
  };
  if (form.preset !== null) spec.preset = form.preset;
  return spec;
}
