/** The names a user types or picks: one list each, shared by the CLI, the form and the engine. */

export const DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'cifar100'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const METHODS = ['dense', 'static', 'set', 'snfs', 'rigl', 'pruning'] as const;
export type MethodName = (typeof METHODS)[number];

export const DISTRIBUTIONS = ['uniform', 'er', 'erk'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];

/** `auto` tries tfjs-node-gpu, then tfjs-node, then wasm, then cpu. */
export const BACKENDS = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** Models are named `mlp`, `lenet5`, `lenet5-classic`, `resnet50` or `wrn-D-K` (depth D with (D-4) divisible by 6, width K). */
export const MODEL_PATTERN = /^(mlp|lenet5|lenet5-classic|resnet50|wrn-(\d+)-(\d+))$/;
export const MODEL_EXAMPLES = ['mlp', 'lenet5', 'lenet5-classic', 'wrn-22-2', 'resnet50'] as const;
/** The model names a field accepts, for error messages and help. */
export const MODEL_NAMES_HINT = 'mlp, lenet5, lenet5-classic, wrn-D-K (e.g. wrn-22-2) or resnet50';

export const METHOD_LABELS: Record<MethodName, string> = {
  dense: 'Dense',
  static: 'Static',
  set: 'SET',
  snfs: 'SNFS',
  rigl: 'RigL',
  pruning: 'Pruning',
};

export const DISTRIBUTION_LABELS: Record<DistributionName, string> = {
  uniform: 'uniform',
  er: 'ER',
  erk: 'ERK',
};

/** Methods that change the mask by drop/grow updates every ΔT steps. */
export const DROP_GROW_METHODS: readonly MethodName[] = ['set', 'snfs', 'rigl'];
