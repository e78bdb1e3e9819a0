import type { ExperimentRecord, LayerStatRecord, RunRecord } from '../../src-shared/api/records.js';
import { canonicalRunConfig, parseExperimentSpec, type ExperimentSpecInput } from '../../src-shared/config/experiment.js';
import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { standardDenseTrainFlops, trainFlopsRatio } from '../../src-shared/plan.js';
import type { ViewInput } from '../../src-shared/report/view.js';

/**
 * Run records as the store hands them to a view, with only what the views read set by the test:
 * the config (canonical, as a grid stores it), the status and the final metrics.
 */
let nextId = 1;

export interface RunFixture {
  config: RunConfigInput;
  testAccuracy: number | null;
  status?: RunRecord['status'];
  trainFlops?: number | null;
  /** Against the standard dense run, as the store reads it; gives trainFlops when that is left out. */
  trainFlopsRatio?: number | null;
  inferenceFlopsRatio?: number | null;
  durationS?: number | null;
  sharedS?: number | null;
  backend?: RunRecord['backend'];
  device?: string | null;
}

export function runRecord(f: RunFixture): RunRecord {
  const config = canonicalRunConfig(resolveRunConfig({ dataset: 'fashion-mnist', model: 'mlp', ...f.config }));
  const trainFlops = f.trainFlops ?? (f.trainFlopsRatio == null ? null : f.trainFlopsRatio * standardDenseTrainFlops(config));
  return {
    id: nextId++,
    experimentId: 1,
    name: `${config.method} ${config.sparsity}`,
    config,
    status: f.status ?? 'completed',
    queuePosition: null,
    backend: f.backend === undefined ? 'wasm' : f.backend,
    backendReason: null,
    backendVersions: null,
    device: f.device ?? null,
    ownerPid: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationS: f.durationS === undefined ? 1 : f.durationS,
    sharedS: f.sharedS ?? null,
    stepsDone: 100,
    totalSteps: 100,
    error: null,
    divergedStep: null,
    tags: [],
    notes: '',
    testAccuracy: f.testAccuracy,
    bestTestAccuracy: f.testAccuracy,
    valAccuracy: null,
    testLoss: null,
    trainFlops,
    trainFlopsRatio: trainFlopsRatio(trainFlops, config),
    inferenceFlopsRatio: f.inferenceFlopsRatio ?? null,
    inferenceFlops: null,
    finalSparsity: null,
    parameters: null,
  };
}

export function experimentRecord(spec: ExperimentSpecInput): ExperimentRecord {
  const parsed = parseExperimentSpec(spec);
  return {
    id: 1,
    name: parsed.name,
    description: parsed.description,
    tags: parsed.tags,
    preset: parsed.preset ?? null,
    spec: parsed,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

export function viewInput(spec: ExperimentSpecInput, runs: RunRecord[], layerHistory: Map<number, LayerStatRecord[]> = new Map()): ViewInput {
  return { experiment: experimentRecord(spec), runs, layerHistory, accuracy: 'final' };
}
