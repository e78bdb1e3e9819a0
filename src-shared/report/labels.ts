import type { RunConfig } from '../config/run.js';
import { DATASET_INFO } from '../datasets.js';
import { DISTRIBUTION_LABELS } from '../names.js';
import { count, shortPercent, sparsityLabel } from './format.js';
import { fieldApplies, NOT_COMPARED, varyingFields } from './comparable.js';
import { fieldValue, showValue } from './config-diff.js';
import { variantOf } from './variants.js';

/** Fields a label names in its own way: the variant says the method and its redistribution. */
const NAMED = ['method', 'distribution', 'sparsity', 'maskUpdate.redistribution'];

const examples = (n: number | undefined, kind: string): string => (n === undefined ? `all ${kind} examples` : `${count(n)} ${kind} examples`);

/**
 * How a field reads inside a label, in the words the recipe note and the form use ("2 epochs",
 * "6,000 training examples", "ΔT 100"); fields not listed read "<last path segment> <value>".
 */
const WORDING: Record<string, (c: RunConfig) => string> = {
  dataset: (c) => DATASET_INFO[c.dataset].label,
  model: (c) => c.model,
  denseFirstLayer: (c) => (c.denseFirstLayer ? 'dense first layer' : 'sparse first layer'),
  epochs: (c) => `${c.epochs} ${c.epochs === 1 ? 'epoch' : 'epochs'}`,
  trainingMultiplier: (c) => `training ×${c.trainingMultiplier}`,
  widthMultiplier: (c) => `width ×${c.widthMultiplier}`,
  batchSize: (c) => `batch ${c.batchSize}`,
  trainSubset: (c) => examples(c.trainSubset, 'training'),
  testSubset: (c) => examples(c.testSubset, 'test'),
  validationFraction: (c) => `${shortPercent(c.validationFraction)} held out`,
  augment: (c) => (c.augment ? 'crop and flip' : 'no augmentation'),
  warmupSteps: (c) => (c.warmupSteps === 0 ? 'no warm-up' : `${count(c.warmupSteps)} warm-up steps`),
  labelSmoothing: (c) => `label smoothing ${c.labelSmoothing}`,
  dropout: (c) => `dropout ${c.dropout}`,
  'optimizer.lr': (c) => `lr ${c.optimizer.lr}`,
  'optimizer.momentum': (c) => `momentum ${c.optimizer.momentum}`,
  'optimizer.nesterov': (c) => (c.optimizer.nesterov ? 'Nesterov' : 'no Nesterov'),
  'optimizer.weightDecay': (c) => `weight decay ${c.optimizer.weightDecay}`,
  'lrSchedule.kind': (c) => `${c.lrSchedule.kind} lr`,
  'lrSchedule.gamma': (c) => (c.lrSchedule.kind === 'step' ? `lr ×${c.lrSchedule.gamma}` : ''),
  'lrSchedule.everySteps': (c) => (c.lrSchedule.kind === 'step' ? `lr drop every ${count(c.lrSchedule.everySteps)} steps` : ''),
  'maskUpdate.alpha': (c) => `α ${c.maskUpdate.alpha}`,
  'maskUpdate.deltaT': (c) => `ΔT ${c.maskUpdate.deltaT}`,
  'maskUpdate.endFraction': (c) => `T_end ${shortPercent(c.maskUpdate.endFraction)}`,
  'maskUpdate.schedule': (c) => `${c.maskUpdate.schedule} α`,
  'pruning.startFraction': (c) => `pruning from ${shortPercent(c.pruning.startFraction)}`,
  'pruning.endFraction': (c) => `pruning until ${shortPercent(c.pruning.endFraction)}`,
  'pruning.frequency': (c) => `pruning every ${c.pruning.frequency} steps`,
  'pruning.scope': (c) => `${c.pruning.scope} pruning`,
};

function fieldWording(config: RunConfig, path: string): string {
  // A layer given its own sparsity varies as layerSparsity.<layer>.
  if (path.startsWith('layerSparsity.')) {
    const layer = path.slice('layerSparsity.'.length);
    const sparsity = config.layerSparsity[layer];
    return sparsity === undefined ? `${layer} by the distribution` : `${layer} ${sparsityLabel(sparsity)}`;
  }
  const words = WORDING[path];
  return words ? words(config) : `${path.split('.').pop() ?? path} ${showValue(fieldValue(config, path))}`;
}

/** Values that go without saying wherever they are: the standard training length, the full-width model. */
const NORM: Record<string, unknown> = { trainingMultiplier: 1, widthMultiplier: 1 };

const isNorm = (config: RunConfig, path: string): boolean => path in NORM && fieldValue(config, path) === NORM[path];

/**
 * The fields that tell compared configs apart, each with a config holding the value that labels
 * leave unsaid (null when they say every value but the norm).
 */
export type LabelFields = ReadonlyMap<string, RunConfig | null>;

const sameValue = (a: RunConfig, b: RunConfig, path: string): boolean => JSON.stringify(fieldValue(a, path)) === JSON.stringify(fieldValue(b, path));

/**
 * The fields that vary among the configs (varyingFields, leaving out `ignore`), each with the
 * value its labels leave unsaid: the one a strict majority of the configs that read the field
 * share. Runs from different recipes then read "RigL · 2 epochs" beside "RigL", not every varying
 * field of both; in a sweep no value has a majority and each is said. Leaving one value per field
 * unsaid keeps labels apart: of two configs that differ in a field, one at least says its value.
 */
export function labelFields(configs: readonly RunConfig[], ignore: readonly string[] = NOT_COMPARED): LabelFields {
  return new Map(varyingFields(configs, ignore).map((path) => [path, majorityValue(configs, path)]));
}

function majorityValue(configs: readonly RunConfig[], path: string): RunConfig | null {
  // A norm is unsaid already, whatever most configs hold (most may be Small-Dense, or 2× runs).
  if (path in NORM) return null;
  const readers = configs.filter((c) => fieldApplies(path, c.method));
  return readers.find((candidate) => readers.filter((c) => sameValue(c, candidate, path)).length * 2 > readers.length) ?? null;
}

/** Fields whose every value a label says (a run's name: no two runs of a sweep may share one). */
export function everyValueOf(paths: readonly string[]): LabelFields {
  return new Map(paths.map((path) => [path, null]));
}

/**
 * What this config's label says of `fields`, as "α 0.5", "2 epochs": the fields it reads whose
 * value is neither a norm nor left unsaid.
 */
export function otherFields(config: RunConfig, fields: LabelFields): string[] {
  return [...fields]
    .filter(([path, unsaid]) => !NAMED.includes(path) && fieldApplies(path, config.method) && !isNorm(config, path) && !(unsaid && sameValue(config, unsaid, path)))
    .map(([path]) => fieldWording(config, path))
    .filter((words) => words !== '');
}

/**
 * "3 epochs, 2,000 test examples": the values labels leave unsaid, which a caption states once
 * (the norms go without saying). Null when labels say everything.
 */
export function unsaidValues(fields: LabelFields): string | null {
  const words = [...fields]
    .filter(([path]) => !NAMED.includes(path))
    .flatMap(([path, unsaid]) => (unsaid ? [fieldWording(unsaid, path)] : []))
    .filter((w) => w !== '');
  return words.length > 0 ? words.join(', ') : null;
}

/**
 * "RigL · ERK · 90%": a run's method, distribution and sparsity, as a caption names it; a dense
 * run (Small-Dense too) has no distribution or sparsity, and is named by its method alone.
 */
export function pointLabel(config: RunConfig): string {
  const method = variantOf(config).label;
  return config.method === 'dense' ? method : `${method} · ${DISTRIBUTION_LABELS[config.distribution]} · ${sparsityLabel(config.sparsity)}`;
}

/** "RigL-SM · ERK · 90% · α 0.5": the method's variant, then whatever else tells it apart. */
export function configLabel(config: RunConfig, fields: LabelFields, withSparsity: boolean): string {
  const parts: string[] = [variantOf(config).label];
  if (config.method !== 'dense') {
    if (fields.has('distribution')) parts.push(DISTRIBUTION_LABELS[config.distribution]);
    if (withSparsity && fields.has('sparsity')) parts.push(sparsityLabel(config.sparsity));
  }
  parts.push(...otherFields(config, fields));
  return parts.join(' · ');
}
