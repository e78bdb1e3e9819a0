import type { ExperimentSpecInput, GridAxis } from '../../src-shared/config/experiment.js';
import { ConfigError, issueInWords, type RunConfigInput } from '../../src-shared/config/run.js';
import { ordinal } from '../../src-shared/report/format.js';
import { UsageError } from './errors.js';

type Kind = 'string' | 'number' | 'int' | 'boolean' | 'list' | 'number-list' | 'int-list' | 'layer-map';

interface FlagDef {
  /** Where the value goes in a run config (dot path), or the grid axis it sweeps. */
  path: string;
  kind: Kind;
  help: string;
  grid?: GridAxis;
}

/**
 * The training flags of `run`, one table: parsing, help text and the mapping of a config error
 * back to the flag the user typed all read from it.
 */
export const RUN_FLAGS: Record<string, FlagDef> = {
  dataset: { path: 'dataset', kind: 'string', help: 'mnist | fashion-mnist | cifar10 | cifar100 (default fashion-mnist)' },
  model: { path: 'model', kind: 'string', help: 'mlp | lenet5 | lenet5-classic | wrn-D-K (e.g. wrn-22-2) | resnet50' },
  method: { path: 'method', kind: 'list', grid: 'method', help: 'dense | static | set | snfs | rigl | pruning' },
  sparsity: { path: 'sparsity', kind: 'number-list', grid: 'sparsity', help: 'target sparsity in [0, 1)' },
  distribution: { path: 'distribution', kind: 'list', grid: 'distribution', help: 'uniform | er | erk' },
  seed: { path: 'seed', kind: 'int-list', grid: 'seed', help: 'random seed(s)' },
  epochs: { path: 'epochs', kind: 'int-list', grid: 'epochs', help: 'training epochs' },
  multiplier: { path: 'trainingMultiplier', kind: 'number-list', grid: 'trainingMultiplier', help: 'training-length multiplier (scales epochs and step boundaries)' },
  width: { path: 'widthMultiplier', kind: 'number-list', grid: 'widthMultiplier', help: 'width multiplier (Small-Dense baselines)' },
  'batch-size': { path: 'batchSize', kind: 'int-list', grid: 'batchSize', help: 'examples per step' },
  lr: { path: 'optimizer.lr', kind: 'number-list', grid: 'lr', help: 'learning rate' },
  'lr-schedule': { path: 'lrSchedule.kind', kind: 'string', help: 'constant | step | cosine' },
  'lr-gamma': { path: 'lrSchedule.gamma', kind: 'number', help: 'step schedule: factor per drop (default 0.2)' },
  'lr-step': { path: 'lrSchedule.everySteps', kind: 'int', help: 'step schedule: optimizer steps between drops' },
  'warmup-steps': { path: 'warmupSteps', kind: 'int', help: 'linear learning-rate warm-up steps' },
  momentum: { path: 'optimizer.momentum', kind: 'number', help: 'SGD momentum' },
  nesterov: { path: 'optimizer.nesterov', kind: 'boolean', help: 'Nesterov momentum (--no-nesterov to turn off)' },
  'weight-decay': { path: 'optimizer.weightDecay', kind: 'number-list', grid: 'weightDecay', help: 'L2 weight decay (not on biases or BatchNorm)' },
  'label-smoothing': { path: 'labelSmoothing', kind: 'number', help: 'label smoothing ε' },
  dropout: { path: 'dropout', kind: 'number', help: 'dropout rate where the model has dropout' },
  alpha: { path: 'maskUpdate.alpha', kind: 'number-list', grid: 'alpha', help: 'initial drop fraction α (SET, SNFS, RigL)' },
  'delta-t': { path: 'maskUpdate.deltaT', kind: 'int-list', grid: 'deltaT', help: 'steps between mask updates ΔT' },
  't-end': { path: 'maskUpdate.endFraction', kind: 'number', help: 'fraction of training after which masks are frozen' },
  'drop-schedule': { path: 'maskUpdate.schedule', kind: 'string', help: 'cosine | constant' },
  redistribution: { path: 'maskUpdate.redistribution', kind: 'list', grid: 'redistribution', help: 'none | momentum | gradient' },
  'prune-start': { path: 'pruning.startFraction', kind: 'number', help: 'pruning: start as a fraction of training' },
  'prune-end': { path: 'pruning.endFraction', kind: 'number', help: 'pruning: end as a fraction of training' },
  'prune-every': { path: 'pruning.frequency', kind: 'int', help: 'pruning: steps between pruning events' },
  'prune-scope': { path: 'pruning.scope', kind: 'string', help: 'layer | global' },
  'dense-first-layer': { path: 'denseFirstLayer', kind: 'boolean', help: 'keep the first layer dense' },
  'layer-sparsity': { path: 'layerSparsity', kind: 'layer-map', help: 'sparsity of named layers as given (fc1=0.95,fc2=0.8); the distribution sets the others at --sparsity' },
  validation: { path: 'validationFraction', kind: 'number', help: 'fraction of the training set held out (default 0.1)' },
  augment: { path: 'augment', kind: 'boolean', help: 'CIFAR augmentation (--no-augment to turn off)' },
  'train-subset': { path: 'trainSubset', kind: 'int', help: 'train on the first N examples only' },
  'test-subset': { path: 'testSubset', kind: 'int', help: 'evaluate on the first N test examples only' },
  backend: { path: 'backend', kind: 'string', help: 'auto | node-gpu | node | wasm | cpu' },
  'log-every': { path: 'logEvery', kind: 'int', help: 'steps between logged training metrics' },
  'checkpoint-every': { path: 'checkpointEvery', kind: 'int', help: 'epochs between checkpoints (0: none)' },
};

export function parseFlagValue(flag: string, kind: Kind, raw: string | boolean): unknown {
  if (kind === 'boolean') return raw;
  const text = String(raw);
  const number = (s: string, int: boolean): number => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(v) || (int && !Number.isInteger(v))) {
      throw new UsageError(`--${flag}: "${s}" is not ${int ? 'a whole number' : 'a number'}`);
    }
    return v;
  };
  switch (kind) {
    case 'string':
      return text;
    case 'number':
      return number(text, false);
    case 'int':
      return number(text, true);
    case 'list':
      return text.split(',').map((s) => s.trim());
    case 'number-list':
      return text.split(',').map((s) => number(s, false));
    case 'int-list':
      return text.split(',').map((s) => number(s, true));
    case 'layer-map': {
      const map: Record<string, number> = {};
      for (const pair of text.split(',')) {
        const [layer, value, ...rest] = pair.split('=');
        if (!layer?.trim() || value === undefined || rest.length > 0) throw new UsageError(`--${flag}: "${pair}" is not LAYER=SPARSITY (e.g. fc1=0.95)`);
        const name = layer.trim();
        if (name in map) throw new UsageError(`--${flag}: ${name} is given twice`);
        map[name] = number(value, false);
      }
      return map;
    }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}

export const runFlagOptions = Object.fromEntries(
  Object.entries(RUN_FLAGS).map(([name, def]) => [name, { type: def.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
);

/**
 * Turns `run` flags into an experiment spec: single values go to the base config, comma lists
 * (and every value of a grid axis) to the grid.
 */
export function flagsToExperiment(values: Record<string, string | boolean | undefined>, name: string): ExperimentSpecInput {
  const base: Record<string, unknown> = {};
  const grid: Partial<Record<GridAxis, unknown[]>> = {};
  for (const [flag, def] of Object.entries(RUN_FLAGS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = parseFlagValue(flag, def.kind, raw);
    if (Array.isArray(value)) {
      if (value.length === 1) setPath(base, def.path, value[0]);
      else grid[def.grid!] = value;
    } else {
      setPath(base, def.path, value);
    }
  }
  const schedule = base.lrSchedule as Record<string, unknown> | undefined;
  if (schedule && schedule.kind === undefined) {
    throw new UsageError('--lr-gamma / --lr-step need --lr-schedule step');
  }
  if (schedule?.kind === 'step') {
    schedule.gamma ??= 0.2;
    if (schedule.everySteps === undefined) throw new UsageError('--lr-schedule step needs --lr-step (optimizer steps between drops)');
  }
  return { name, base: base as RunConfigInput, grid: grid as ExperimentSpecInput['grid'] };
}

/**
 * The flag that sets the config field at `path`, as it is named in an error: `--delta-t`, with
 * the key within its value (`--layer-sparsity fc1` for layerSparsity.fc1), or with the value and
 * its place in its comma list (`--sparsity 1.2 (2nd in its list)` for grid.sparsity.1, the value
 * as typed in `typed` where given); undefined if none.
 */
function flagOfPath(path: string, byPath: ReadonlyMap<string, string>, typed?: Readonly<Record<string, unknown>>): string | undefined {
  for (let at = path; at !== ''; at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '') {
    const flag = byPath.get(at);
    if (flag === undefined) continue;
    const below = at === path ? '' : path.slice(at.length + 1);
    if (RUN_FLAGS[flag]!.kind === 'layer-map' && below !== '') return `--${flag} ${below}`;
    if (/^\d+$/.test(below)) {
      const value = typed?.[flag] === undefined ? undefined : String(typed[flag]).split(',')[Number(below)]?.trim();
      return `--${flag}${value === undefined ? '' : ` ${value}`} (${ordinal(Number(below) + 1)} in its list)`;
    }
    return `--${flag}`;
  }
  return undefined;
}

/**
 * Rewrites a config error in terms of the flags the user typed: `--delta-t: must be ...`. With
 * `file`, the flags were merged over that config file (already valid alone): a field no typed
 * flag sets is named as the file's, with the flags that made it wrong. `typed`: the flags' values
 * as typed, to quote the one of a comma list that is wrong.
 */
export function configErrorAsFlags(error: ConfigError, file?: { path: string; typed: ReadonlySet<string> }, typed?: Readonly<Record<string, unknown>>): UsageError {
  const typedFlags = file ? [...file.typed].map((f) => `--${f}`).join(' ') : '';
  const byPath = new Map<string, string>();
  for (const [flag, def] of Object.entries(RUN_FLAGS)) {
    if (file && !file.typed.has(flag)) continue;
    byPath.set(def.path, flag);
    if (def.grid) byPath.set(`grid.${def.grid}`, flag);
  }
  const lines = error.issues.map((issue) => {
    const path = issue.path.replace(/^base\./, '');
    // A check of each expanded run names its field under grid (grid.trainSubset) even when no axis sets it.
    const flag = flagOfPath(path, byPath, typed) ?? flagOfPath(path.replace(/^grid\./, ''), byPath, typed);
    // Another field the message names is named by its flag where one set it ("must be after --prune-start").
    const message = issueInWords(issue, (referred) => flagOfPath(referred, byPath) ?? referred);
    if (flag) return `${flag}: ${message}`;
    return file ? `${file.path} with ${typedFlags}: ${issue.path}: ${message}` : `${issue.path}: ${message}`;
  });
  return new UsageError(lines.join('\n'));
}

export function runFlagsHelp(): string {
  return Object.entries(RUN_FLAGS)
    .map(([flag, def]) => `  --${flag.padEnd(18)} ${def.help}${def.grid ? '; a comma list makes a grid' : ''}`)
    .join('\n');
}
