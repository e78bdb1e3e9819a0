import type { RunRecord } from '../api/records.js';
import type { RunConfig } from '../config/run.js';
import { DROP_GROW_METHODS, METHOD_LABELS, type MethodName } from '../names.js';
import { trainedEpochs } from '../plan.js';
import { varyingFields } from './comparable.js';
import { andList, count, shortPercent } from './format.js';
import { layerOverridesText } from './layer-overrides.js';

/** `varying`: the fields that differ between the runs, which the note leaves out. */
type Part = (c: RunConfig, varying: ReadonlySet<string>) => string | null;

/** "the first 8,000 training examples", or "all test examples" without a subset. */
export const examplesText = (n: number | null | undefined, kind: string): string => (n ? `the first ${count(n)} ${kind} examples` : `all ${kind} examples`);

/**
 * What every run of an experiment trained with, field by field: a part listed under several paths
 * is left out as soon as one of them differs between runs (the figures show those), unless it is
 * `partial`: then it words the paths the runs share itself, and goes only when every one differs.
 */
const PARTS: Array<{ paths: string[]; part: Part; partial?: true }> = [
  { paths: ['epochs', 'trainingMultiplier'], part: (c) => epochsText(trainedEpochs(c)) },
  { paths: ['batchSize'], part: (c) => `batch ${c.batchSize}` },
  { paths: ['trainSubset'], part: (c) => examplesText(c.trainSubset, 'training') },
  {
    paths: ['validationFraction'],
    // "of them" follows the training examples' part, which is left out where the subsets differ.
    part: (c, varying) =>
      c.validationFraction > 0 ? `${shortPercent(c.validationFraction)} of ${varying.has('trainSubset') ? 'the training examples' : 'them'} held out for validation` : null,
  },
  { paths: ['testSubset'], part: (c) => `tested on ${examplesText(c.testSubset, 'test')}` },
  { paths: ['augment'], part: (c) => (c.augment ? 'random crop and flip' : null) },
  {
    paths: ['optimizer.lr', 'optimizer.momentum', 'optimizer.nesterov'],
    partial: true,
    part: (c, varying) => {
      const lr = varying.has('optimizer.lr') ? null : `lr ${c.optimizer.lr}`;
      const nesterov = varying.has('optimizer.nesterov') ? '' : c.optimizer.nesterov ? ' (Nesterov)' : ' (not Nesterov)';
      const momentum = varying.has('optimizer.momentum') ? (nesterov === '' ? null : `momentum${nesterov}`) : `momentum ${c.optimizer.momentum}${nesterov}`;
      return `SGD ${[lr, momentum].filter((p) => p !== null).join(', ')}`;
    },
  },
  { paths: ['optimizer.weightDecay'], part: (c) => `weight decay ${c.optimizer.weightDecay}` },
  {
    paths: ['lrSchedule.kind', 'lrSchedule.gamma', 'lrSchedule.everySteps'],
    part: (c) => (c.lrSchedule.kind === 'step' ? `lr ×${c.lrSchedule.gamma} every ${count(c.lrSchedule.everySteps)} steps` : `${c.lrSchedule.kind} lr`),
  },
  { paths: ['warmupSteps'], part: (c) => (c.warmupSteps > 0 ? `${c.warmupSteps} warm-up steps` : null) },
  { paths: ['dropout'], part: (c) => (c.dropout > 0 ? `dropout ${c.dropout}` : null) },
  { paths: ['labelSmoothing'], part: (c) => (c.labelSmoothing > 0 ? `label smoothing ${c.labelSmoothing}` : null) },
];

const epochsText = (n: number): string => `${n} ${n === 1 ? 'epoch' : 'epochs'}`;

/** The methods of `configs` among `methods`, by name: "SET and RigL". */
function methodNames(configs: readonly RunConfig[], methods: readonly MethodName[]): string {
  return andList(methods.filter((m) => configs.some((c) => c.method === m)).map((m) => METHOD_LABELS[m]));
}

/**
 * "Every run: 3 epochs, batch 128, …", then the schedules of the methods that have one ("RigL
 * runs: mask updates every 100 steps, …"): the shared recipe, which the figures do not show.
 * Null without runs. `subject` names the runs it is about ("Every completed run" where others are
 * left out).
 */
export function recipeNote(runs: readonly RunRecord[], subject = 'Every run'): string | null {
  const configs = runs.map((r) => r.config);
  const first = configs[0];
  if (first === undefined) return null;
  const varying = new Set(varyingFields(configs));
  const parts = PARTS.filter(({ paths, partial }) => (partial ? paths.some((p) => !varying.has(p)) : paths.every((p) => !varying.has(p)))).flatMap(({ part }) => part(first, varying) ?? []);
  // Longer runs (RigL's 2×, 5×) are set against the recipe's length, which the figures then name as 1×.
  if (varying.has('trainingMultiplier') && !varying.has('epochs')) parts.unshift(`${epochsText(first.epochs)} at 1×`);
  const sentences = [`${subject}: ${parts.join(', ')}.`];
  const updating = configs.filter((c) => DROP_GROW_METHODS.includes(c.method));
  // What the updating runs share of their schedule (a sweep of α and ΔT still says when updates end).
  const updateVarying = new Set(varyingFields(updating));
  if (updating[0] && !UPDATE_PATHS.every((p) => updateVarying.has(p))) {
    sentences.push(`${methodNames(updating, DROP_GROW_METHODS)} runs: ${maskUpdateSchedule(updating[0], updateVarying)}.`);
  }
  const sparse = configs.find((c) => c.method !== 'dense');
  // Varying fields are flattened: a layer given its own sparsity varies as layerSparsity.fc1.
  const layersVary = [...varying].some((path) => path === 'denseFirstLayer' || path.startsWith('layerSparsity'));
  const overrides = sparse && !layersVary ? layerOverridesText(sparse) : null;
  if (overrides !== null) sentences.push(`Sparse runs: ${overrides}, the other layers by their distribution.`);
  const pruning = configs.find((c) => c.method === 'pruning');
  if (pruning && !['pruning.startFraction', 'pruning.endFraction', 'pruning.frequency', 'pruning.scope'].some((p) => varying.has(p))) {
    sentences.push(`Pruning runs: ${pruningSchedule(pruning)}.`);
  }
  return sentences.join(' ');
}

const UPDATE_PATHS = ['maskUpdate.deltaT', 'maskUpdate.alpha', 'maskUpdate.schedule', 'maskUpdate.endFraction'] as const;

/**
 * "mask updates every 100 steps, α 0.3 (cosine), until 75% of training"; the paths in `varying`
 * left unsaid ("mask updates, α decaying by cosine, until 75% of training" for a sweep of ΔT and α).
 */
export function maskUpdateSchedule({ maskUpdate: u }: Pick<RunConfig, 'maskUpdate'>, varying: ReadonlySet<string> = new Set()): string {
  const shared = (path: (typeof UPDATE_PATHS)[number]) => !varying.has(path);
  const decay = u.schedule === 'cosine' ? 'decaying by cosine' : 'constant';
  const alpha = shared('maskUpdate.alpha') ? `α ${u.alpha}${shared('maskUpdate.schedule') ? ` (${u.schedule})` : ''}` : shared('maskUpdate.schedule') ? `α ${decay}` : null;
  const pieces = [
    `mask updates${shared('maskUpdate.deltaT') ? ` every ${u.deltaT} steps` : ''}`,
    alpha,
    shared('maskUpdate.endFraction') ? `until ${shortPercent(u.endFraction)} of training` : null,
  ];
  return pieces.filter((p) => p !== null).join(', ');
}

/** "pruned layer by layer every 100 steps from 5% to 75% of training" */
export function pruningSchedule({ pruning: p }: Pick<RunConfig, 'pruning'>): string {
  const scope = p.scope === 'global' ? 'across all layers' : 'layer by layer';
  return `pruned ${scope} every ${p.frequency} steps from ${shortPercent(p.startFraction)} to ${shortPercent(p.endFraction)} of training`;
}
