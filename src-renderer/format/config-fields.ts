import type { RunConfig } from '../../src-shared/config/run.js';
import { DROP_GROW_METHODS } from '../../src-shared/names.js';
import { fieldApplies } from '../../src-shared/report/comparable.js';

/** Human names for config paths, as the form labels them; paths without one show as they are. */
export const FIELD_LABELS: Record<string, string> = {
  dataset: 'Dataset',
  model: 'Model',
  method: 'Method',
  sparsity: 'Sparsity',
  distribution: 'Distribution',
  denseFirstLayer: 'Dense first layer',
  epochs: 'Epochs',
  trainingMultiplier: 'Training multiplier',
  batchSize: 'Batch size',
  'optimizer.lr': 'Learning rate',
  'optimizer.momentum': 'Momentum',
  'optimizer.nesterov': 'Nesterov',
  'optimizer.weightDecay': 'Weight decay',
  'lrSchedule.kind': 'LR schedule',
  'lrSchedule.gamma': 'LR γ',
  'lrSchedule.everySteps': 'LR step every',
  warmupSteps: 'Warm-up steps',
  labelSmoothing: 'Label smoothing',
  dropout: 'Dropout',
  widthMultiplier: 'Width multiplier',
  validationFraction: 'Validation fraction',
  augment: 'Augmentation',
  trainSubset: 'Train subset',
  testSubset: 'Test subset',
  seed: 'Seed',
  'maskUpdate.alpha': 'α (drop fraction)',
  'maskUpdate.deltaT': 'ΔT (update interval)',
  'maskUpdate.endFraction': 'T_end (fraction)',
  'maskUpdate.schedule': 'Drop schedule',
  'maskUpdate.redistribution': 'Redistribution',
  'pruning.startFraction': 'Pruning start',
  'pruning.endFraction': 'Pruning end',
  'pruning.frequency': 'Pruning every',
  'pruning.scope': 'Pruning scope',
  backend: 'Backend asked for',
  logEvery: 'Log every',
  checkpointEvery: 'Checkpoint every (epochs)',
  keepCheckpoints: 'Checkpoints kept',
};

export function fieldLabel(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

export interface ConfigGroup {
  title: string;
  paths: string[];
}

/** A run's config in readable groups; the method's unused sections are left out. */
export function configGroups(config: RunConfig): ConfigGroup[] {
  const layerOverrides = Object.keys(config.layerSparsity).map((name) => `layerSparsity.${name}`);
  const groups: ConfigGroup[] = [
    { title: 'Data and model', paths: ['dataset', 'model', 'validationFraction', 'trainSubset', 'testSubset', 'augment', 'widthMultiplier', 'dropout'] },
    // Only what the method reads: a dense run keeps the recipe's sparsity and distribution unused.
    { title: 'Sparsity', paths: ['method', ...['sparsity', 'distribution', 'denseFirstLayer', ...layerOverrides].filter((p) => fieldApplies(p, config.method))] },
    { title: 'Training', paths: ['epochs', 'trainingMultiplier', 'batchSize', 'seed', 'labelSmoothing'] },
    {
      title: 'Optimiser',
      paths: ['optimizer.lr', 'optimizer.momentum', 'optimizer.nesterov', 'optimizer.weightDecay', 'lrSchedule.kind', 'lrSchedule.gamma', 'lrSchedule.everySteps', 'warmupSteps'],
    },
  ];
  if (DROP_GROW_METHODS.includes(config.method)) {
    groups.push({ title: 'Mask updates', paths: ['maskUpdate.alpha', 'maskUpdate.deltaT', 'maskUpdate.endFraction', 'maskUpdate.schedule', 'maskUpdate.redistribution'] });
  }
  if (config.method === 'pruning') {
    groups.push({ title: 'Pruning', paths: ['pruning.startFraction', 'pruning.endFraction', 'pruning.frequency', 'pruning.scope'] });
  }
  groups.push({ title: 'Recording', paths: ['backend', 'logEvery', 'checkpointEvery', 'keepCheckpoints'] });
  return groups;
}
