import { z } from 'zod';
import { DATASET_INFO, trainingExamples } from '../datasets.js';
import { buildModelSpec, maskedLayers, type MaskedLayer } from '../models/index.js';
import { denseFirstLayerConflict } from '../sparsity/distribution.js';
import { BACKENDS, DATASETS, DISTRIBUTIONS, METHODS, MODEL_NAMES_HINT, MODEL_PATTERN, type DatasetName } from '../names.js';
import { count } from '../report/format.js';

const sparsityValue = z.number().min(0).lt(1, 'must be a fraction below 1, e.g. 0.9 for 90% (1 would remove every weight)');
const fraction = (message: string) => z.number().gt(0, message).max(1, message);

export const optimizerSchema = z.strictObject({
  lr: z.number().positive().max(100),
  momentum: z.number().min(0).lt(1),
  nesterov: z.boolean(),
  /** L2 on masked and unmasked kernels; never on biases or BatchNorm. */
  weightDecay: z.number().min(0).max(1),
});

export const lrScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  /** Multiply by `gamma` every `everySteps` optimizer steps (the report's recipe). */
  z.strictObject({ kind: z.literal('step'), gamma: z.number().positive().max(1), everySteps: z.int().min(1) }),
  /** Cosine decay from lr to 0 over the run (after warm-up). */
  z.strictObject({ kind: z.literal('cosine') }),
]);

export const REDISTRIBUTIONS = ['none', 'momentum', 'gradient'] as const;

export const maskUpdateSchema = z.strictObject({
  /** α, the initial drop fraction. */
  alpha: z.number().gt(0, 'must be above 0').max(1),
  /** ΔT, steps between mask updates. */
  deltaT: z.int().min(1, 'must be a whole number of steps, at least 1'),
  /** T_end as a fraction of training: no updates after it. */
  endFraction: fraction('must be in (0, 1]'),
  schedule: z.enum(['cosine', 'constant']),
  /** Regrowth budget per layer: fixed (none), by mean |momentum| (SNFS, RigL-SM) or mean |gradient| (RigL-SG). */
  redistribution: z.enum(REDISTRIBUTIONS),
});

export const pruningSchema = z.strictObject({
  /** t0 as a fraction of training. */
  startFraction: z.number().min(0).lt(1),
  /** t1 as a fraction of training. */
  endFraction: fraction('must be in (0, 1]'),
  /** Δp, steps between pruning events. */
  frequency: z.int().min(1),
  /** `layer` keeps each layer's share from the distribution; `global` ranks all layers together. */
  scope: z.enum(['layer', 'global']),
});

export const runConfigSchema = z
  .strictObject({
    dataset: z.enum(DATASETS),
    model: z.string().regex(MODEL_PATTERN, `must be ${MODEL_NAMES_HINT}`),
    method: z.enum(METHODS),
    sparsity: sparsityValue,
    distribution: z.enum(DISTRIBUTIONS),
    denseFirstLayer: z.boolean(),
    layerSparsity: z.record(z.string(), sparsityValue),
    epochs: z.int().min(1, 'must be at least 1').max(100000),
    /** Scales the epochs and every step boundary together (the report's 2x and 5x runs). */
    trainingMultiplier: z.number().positive().max(100),
    batchSize: z.int().min(1).max(65536),
    optimizer: optimizerSchema,
    lrSchedule: lrScheduleSchema,
    warmupSteps: z.int().min(0),
    labelSmoothing: z.number().min(0).lt(1),
    dropout: z.number().min(0).lt(1),
    /** Scales hidden widths: below 1 gives a Small-Dense baseline. */
    widthMultiplier: z.number().positive().max(16),
    validationFraction: z.number().min(0).max(0.5),
    augment: z.boolean(),
    /** Train on the first N training examples only (quick runs, tests). */
    trainSubset: z.int().min(1).optional(),
    /** Evaluate on the first N test examples only. */
    testSubset: z.int().min(1).optional(),
    seed: z.int().min(0).max(2 ** 31 - 1),
    maskUpdate: maskUpdateSchema,
    pruning: pruningSchema,
    backend: z.enum(BACKENDS),
    /** Optimizer steps between logged training metrics. */
    logEvery: z.int().min(1),
    /** Epochs between checkpoints; 0 turns them off. */
    checkpointEvery: z.int().min(0),
    keepCheckpoints: z.int().min(1).max(1000),
  })
  .superRefine((c, ctx) => {
    if (c.pruning.endFraction <= c.pruning.startFraction) {
      // Names the start by its path, as a config file and the CLI do; `refers` lets a form put its label there.
      ctx.addIssue({ code: 'custom', path: ['pruning', 'endFraction'], message: 'must be after pruning.startFraction', params: { refers: ['pruning.startFraction'] } });
    }
    let layers: MaskedLayer[];
    try {
      layers = maskedLayers(buildModelSpec(c.model, c.dataset, { widthMultiplier: c.widthMultiplier }));
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: (e as Error).message });
      return;
    }
    const layerNames = layers.map((l) => l.name);
    for (const name of Object.keys(c.layerSparsity)) {
      if (!layerNames.includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['layerSparsity', name], message: `no masked layer of ${c.model} is called "${name}"` });
      }
    }
    const examples = trainingExamples(c.dataset, c.validationFraction, c.trainSubset);
    if (c.batchSize > examples) {
      ctx.addIssue({
        code: 'custom',
        path: ['batchSize'],
        message: `${count(c.batchSize)} is larger than the ${count(examples)} training examples`,
      });
    }
  });

/**
 * A run to be created: what runConfigSchema reads, and what a stored run may hold but a new one
 * must not. These checks came after runs were stored: in runConfigSchema, they would stop an
 * older database from listing its runs.
 */
export const newRunConfigSchema = runConfigSchema.superRefine((c, ctx) => {
  // A subset past the set's size trained on the whole set, and the run then claimed a subset it never had.
  const { label, trainSize, testSize } = DATASET_INFO[c.dataset];
  for (const [field, size, kind] of [['trainSubset', trainSize, 'training'], ['testSubset', testSize, 'test']] as const) {
    const asked = c[field];
    if (asked !== undefined && asked > size) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${count(asked)} is more than the ${count(size)} ${kind} examples of ${label}; leave it out to use all of them` });
    }
  }
  if (c.method === 'dense') return;
  if (c.sparsity === 0) {
    ctx.addIssue({ code: 'custom', path: ['sparsity'], message: `0 keeps every weight: a ${c.method} run at 0 is a dense run; choose the dense method, or a sparsity above 0` });
  }
  const layers = maskedLayers(buildModelSpec(c.model, c.dataset, { widthMultiplier: c.widthMultiplier }));
  const conflict = denseFirstLayerConflict(layers, { ...c, overrides: c.layerSparsity });
  if (conflict !== null) ctx.addIssue({ code: 'custom', path: ['sparsity'], message: `${c.sparsity} ${conflict} (${c.distribution.toUpperCase()}, first layer dense)` });
});

export type RunConfig = z.infer<typeof runConfigSchema>;
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
export type LrSchedule = z.infer<typeof lrScheduleSchema>;
export type MaskUpdateConfig = z.infer<typeof maskUpdateSchema>;
export type PruningConfig = z.infer<typeof pruningSchema>;
export type Redistribution = (typeof REDISTRIBUTIONS)[number];

/** What a user may give: any field left out takes the recipe default for the dataset. */
export const runConfigInputSchema = z.strictObject({
  dataset: z.enum(DATASETS).optional(),
  model: runConfigSchema.shape.model.optional(),
  method: z.enum(METHODS).optional(),
  sparsity: sparsityValue.optional(),
  distribution: z.enum(DISTRIBUTIONS).optional(),
  denseFirstLayer: z.boolean().optional(),
  layerSparsity: z.record(z.string(), sparsityValue).optional(),
  epochs: runConfigSchema.shape.epochs.optional(),
  trainingMultiplier: runConfigSchema.shape.trainingMultiplier.optional(),
  batchSize: runConfigSchema.shape.batchSize.optional(),
  optimizer: optimizerSchema.partial().optional(),
  lrSchedule: lrScheduleSchema.optional(),
  warmupSteps: runConfigSchema.shape.warmupSteps.optional(),
  labelSmoothing: runConfigSchema.shape.labelSmoothing.optional(),
  dropout: runConfigSchema.shape.dropout.optional(),
  widthMultiplier: runConfigSchema.shape.widthMultiplier.optional(),
  validationFraction: runConfigSchema.shape.validationFraction.optional(),
  augment: z.boolean().optional(),
  trainSubset: runConfigSchema.shape.trainSubset,
  testSubset: runConfigSchema.shape.testSubset,
  seed: runConfigSchema.shape.seed.optional(),
  maskUpdate: maskUpdateSchema.partial().optional(),
  pruning: pruningSchema.partial().optional(),
  backend: z.enum(BACKENDS).optional(),
  logEvery: runConfigSchema.shape.logEvery.optional(),
  checkpointEvery: runConfigSchema.shape.checkpointEvery.optional(),
  keepCheckpoints: runConfigSchema.shape.keepCheckpoints.optional(),
});
export type RunConfigInput = z.infer<typeof runConfigInputSchema>;

const isCifar = (d: DatasetName): boolean => d === 'cifar10' || d === 'cifar100';

export function defaultModel(dataset: DatasetName): string {
  if (dataset === 'cifar10') return 'wrn-22-2';
  if (dataset === 'cifar100') return 'resnet50';
  return 'mlp';
}

/**
 * Warm-up steps of both LeNet-5s on the 28x28 datasets. Dense, without BatchNorm, the Caffe one's
 * loss jumped from about 4 to 9–27 at the second step at lr 0.05 for each of 8 seeds on
 * Fashion-MNIST, and seed 0 never recovered (10% test accuracy); with 100 steps of warm-up every
 * seed fell smoothly. The classic one's jumped to 5–8 for 3 of 4 seeds and reached 81.9–88.3% in
 * 2 epochs, against 88.3–88.7% with the warm-up.
 */
const LENET5_WARMUP_STEPS = 100;

/**
 * The recipe a field falls back to: the reproducibility report's CIFAR-10 / CIFAR-100 setups
 * (spec §4), and a short cosine-schedule recipe for the 28x28 datasets.
 */
export function recipeDefaults(dataset: DatasetName, model: string): RunConfig {
  const cifar = isCifar(dataset);
  return {
    dataset,
    model,
    method: 'rigl',
    sparsity: 0.9,
    distribution: 'erk',
    denseFirstLayer: false,
    layerSparsity: {},
    epochs: cifar ? 250 : 15,
    trainingMultiplier: 1,
    batchSize: 128,
    optimizer: {
      lr: cifar ? 0.1 : 0.05,
      momentum: 0.9,
      nesterov: true,
      weightDecay: dataset === 'cifar10' ? 5e-4 : 1e-4,
    },
    lrSchedule: cifar ? { kind: 'step', gamma: 0.2, everySteps: dataset === 'cifar10' ? 30000 : 20000 } : { kind: 'cosine' },
    warmupSteps: dataset === 'cifar100' ? 1760 : !cifar && model.startsWith('lenet5') ? LENET5_WARMUP_STEPS : 0,
    labelSmoothing: dataset === 'cifar100' ? 0.1 : 0,
    dropout: model.startsWith('wrn-') ? 0.3 : 0,
    widthMultiplier: 1,
    validationFraction: 0.1,
    augment: cifar,
    seed: 0,
    maskUpdate: { alpha: 0.3, deltaT: 100, endFraction: 0.75, schedule: 'cosine', redistribution: 'none' },
    pruning: { startFraction: 0.05, endFraction: 0.75, frequency: 100, scope: 'layer' },
    backend: 'auto',
    logEvery: 50,
    checkpointEvery: 1,
    keepCheckpoints: 3,
  };
}

/** Fills every missing field from the recipe and checks the result; throws a ConfigError naming the field. */
export function resolveRunConfig(input: unknown): RunConfig {
  const partial = parseWith(runConfigInputSchema, input);
  const dataset = partial.dataset ?? 'fashion-mnist';
  const base = recipeDefaults(dataset, partial.model ?? defaultModel(dataset));
  const merged = {
    ...base,
    ...stripUndefined(partial),
    dataset,
    optimizer: { ...base.optimizer, ...stripUndefined(partial.optimizer ?? {}) },
    maskUpdate: { ...base.maskUpdate, ...stripUndefined(partial.maskUpdate ?? {}) },
    pruning: { ...base.pruning, ...stripUndefined(partial.pruning ?? {}) },
  };
  return parseWith(runConfigSchema, merged);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One problem of a config: the field (dot path) and what is wrong with it. */
export interface ConfigIssue {
  path: string;
  message: string;
  /**
   * Other fields the message names by their paths within the run config ("must be after
   * pruning.startFraction"), so that a form can name them by their labels instead (issueInWords).
   */
  refers?: string[];
}

/** An issue's message with each field it refers to named as `name` gives it: "must be after Pruning start". */
export function issueInWords(issue: ConfigIssue, name: (path: string) => string): string {
  return (issue.refers ?? []).reduce((message, path) => message.split(path).join(name(path)), issue.message);
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: ConfigIssue[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses with a schema; on failure throws a ConfigError whose lines each name a field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue): ConfigIssue => {
    const refers: unknown = issue.code === 'custom' ? issue.params?.['refers'] : undefined;
    return {
      path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(config)',
      message: issue.code === 'unrecognized_keys' ? unknownFields(issue.keys, fieldsAt(schema, issue.path)) : describeIssue(issue),
      ...(Array.isArray(refers) ? { refers: refers.map(String) } : {}),
    };
  });
  throw new ConfigError(issues.map((i) => `${i.path}: ${i.message}`).join('\n'), issues);
}

/** Unknown fields, each with the known one it was probably meant to be ("sparsty (did you mean sparsity?)"), else the known ones. */
function unknownFields(keys: readonly string[], known: string[] | null): string {
  const named = keys.map((key) => {
    const near = known?.find((k) => editDistance(key.toLowerCase(), k.toLowerCase()) <= Math.max(1, Math.floor(k.length / 4)));
    return near === undefined ? key : `${key} (did you mean ${near}?)`;
  });
  const guessed = named.every((n, i) => n !== keys[i]);
  return `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}${guessed || known === null ? '' : `; the fields are ${known.join(', ')}`}`;
}

/** The fields of the object schema at `path` of `schema`, or null where it is not an object. */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | null {
  let at: z.ZodType | undefined = schema;
  for (const key of [...path, null]) {
    while (at instanceof z.ZodOptional || at instanceof z.ZodNullable || at instanceof z.ZodDefault) at = at.unwrap() as z.ZodType;
    if (!(at instanceof z.ZodObject)) return null;
    if (key === null) return Object.keys(at.shape);
    at = (at.shape as Record<string, z.ZodType>)[String(key)];
  }
  return null;
}

/** Levenshtein distance: how many letters to add, remove or change to turn one word into the other. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** zod's own messages ("Invalid input: expected int, received number"), as opposed to a schema's. */
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Unrecognized)/;

/** An issue in words a user reads beside the field; a schema's own message is kept. */
function describeIssue(issue: z.core.$ZodIssue): string {
  return (ZOD_DEFAULT.test(issue.message) ? describeCode(issue) : null) ?? issue.message;
}

const TYPE_NAMES: Record<string, string> = { number: 'a number', int: 'a whole number', string: 'text', boolean: 'true or false', array: 'a list', object: 'an object' };

function describeCode(issue: z.core.$ZodIssue): string | null {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      if (/received undefined/.test(issue.message)) return 'is missing';
      return TYPE_NAMES[issue.expected] ? `must be ${TYPE_NAMES[issue.expected]}` : null;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)} value${Number(issue.minimum) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      return issue.inclusive ? `must be at least ${String(issue.minimum)}` : `must be above ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must list at most ${String(issue.maximum)} values`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return issue.inclusive ? `must be at most ${String(issue.maximum)}` : `must be below ${String(issue.maximum)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      // A discriminated union's tag (lrSchedule.kind) that names no option.
      return 'options' in issue && Array.isArray(issue.options) ? `must be one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}` : null;
    default:
      return null;
  }
}
