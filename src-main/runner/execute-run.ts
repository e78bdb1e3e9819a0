import { resolveRunConfig } from '../../src-shared/config/run.js';
import { backendDetail, versionsText } from '../../src-shared/format/backend.js';
import { count } from '../../src-shared/report/format.js';
import type { RunStatus } from '../../src-shared/api/records.js';
import { selectBackend } from '../engine/backend/select-backend.js';
import { DatasetError, loadDataset, prepareTrainingData, type SystemDirs } from '../engine/data/index.js';
import { tooFewExamples } from '../../src-shared/datasets.js';
import { train, type TrainOutcome } from '../engine/trainer.js';
import { warmUp } from '../engine/warm-up.js';
import type { Store } from '../store/index.js';
import type { TrainingCheckpoint } from '../engine/checkpoint.js';
import { checkpointDir, loadLatestCheckpoint, resumeNote } from './checkpoint-files.js';
import { StoreObserver, type RunEvents } from './store-observer.js';
import { VERSION } from '../version.js';

export interface ExecuteRunOptions {
  store: Store;
  runId: number;
  dataDir: string;
  systemDirs?: SystemDirs;
  signal?: AbortSignal;
  events?: RunEvents;
}

export interface ExecutedRun {
  runId: number;
  status: RunStatus;
  outcome: TrainOutcome | null;
  error: string | null;
}

/**
 * Trains one stored run and records everything about it: the one code path behind the CLI, the
 * desktop app's worker process and web mode. Errors end the run as failed, with the reason.
 */
export async function executeRun(options: ExecuteRunOptions): Promise<ExecutedRun> {
  const { store, runId } = options;
  const events = options.events ?? {};
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} does not exist in ${store.file}`);
  if (run.status !== 'running') store.updateRunStatus(runId, 'running');
  const recorder = store.openRecorder(runId);
  try {
    // Configs from older versions are re-read through the schema, filling fields added since.
    const config = resolveRunConfig(run.config);
    const checkpoints = { dir: checkpointDir(store.file, runId), keep: config.keepCheckpoints };
    const observer = new StoreObserver(store, runId, recorder, events, checkpoints);
    const resume = prepareResume(store, runId, (problem) => observer.log('warn', problem));
    const backend = await selectBackend(config.backend);
    const versions = { 'rigl-lab': VERSION, ...backend.versions };
    store.setRunBackend(runId, { backend: backend.name, reason: backend.reason, device: backend.device, versions });
    observer.log('info', `backend ${backend.name} ${backendDetail(backend.device, config.backend, backend.reason)}`);
    observer.log('info', `versions ${versionsText(versions)}`);
    const dataset = await loadDataset(config.dataset, {
      dataDir: options.dataDir,
      ...(options.systemDirs ? { systemDirs: options.systemDirs } : {}),
      onNotice: (message) => observer.log('warn', message),
    });
    observer.log('info', `dataset ${config.dataset} ${dataset.cachedIn === null ? `decoded from ${dataset.source}` : `from its cache in ${dataset.cachedIn} (decoded from ${dataset.source})`}`);
    const short = tooFewExamples(config, dataset.train.count);
    if (short !== null) throw new DatasetError(dataset.source, short);
    const data = prepareTrainingData(dataset, config);
    const warmed = await warmUp(config, backend, data, options.signal);
    observer.log('info', `warmed up: ${warmed} untimed ${warmed === 1 ? 'step' : 'steps'} of a throwaway copy of the model, so that the run's time is its training's alone`);
    store.startSessionClock(runId);
    const outcome = await train({
      config,
      backend,
      data,
      observer,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(resume ? { resume } : {}),
    });
    recorder.close();
    const reason: unknown = options.signal?.reason;
    const status = finishStatus(store, runId, outcome, reason instanceof Interruption ? reason : null);
    return { runId, status, outcome, error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    try {
      recorder.close();
    } finally {
      store.appendRunLog(runId, 'error', message);
      store.updateRunStatus(runId, 'failed', { error: message });
    }
    return { runId, status: 'failed', outcome: null, error: message };
  }
}

/**
 * Abort reason for a stop nobody asked for (the process that started the run went away, a
 * SIGTERM, a closed terminal): the run ends interrupted, not cancelled, and its error says why.
 */
export class Interruption {
  /** `why` completes "stopped …": "because the process that started it went away". */
  constructor(readonly why: string) {}
}

/**
 * A run that trained before resumes from its newest readable checkpoint; what it recorded after
 * that step is dropped so the replayed steps replace it, and the time it took leaves the run's.
 * Without a checkpoint it starts over.
 */
function prepareResume(store: Store, runId: number, report: (problem: string) => void): TrainingCheckpoint | undefined {
  const latest = loadLatestCheckpoint(store, runId, report);
  store.discardTimeAfter(runId, latest?.createdAt ?? null);
  const after = latest?.checkpoint.step ?? -1;
  const dropped = store.deleteRowsAfterStep(runId, after);
  for (const stale of store.listCheckpoints(runId)) if (stale.step > after) store.deleteCheckpoint(stale.id);
  // Its accuracy so far is the one its kept epochs give, from the first step (the page's cards
  // agree with its curves), not none until the next epoch ends.
  store.recordAccuracySoFar(runId);
  if (latest) {
    report(`resuming from the checkpoint at step ${count(after)} (epoch ${latest.checkpoint.epoch}); ${dropped.metrics} metric rows after it replaced`);
    return latest.checkpoint;
  }
  if (dropped.metrics + dropped.layerStats + dropped.maskUpdates > 0) report('no checkpoint to resume from: starting over');
  return undefined;
}

function finishStatus(store: Store, runId: number, outcome: TrainOutcome, interrupted: Interruption | null): RunStatus {
  const final = {
    testAccuracy: outcome.testAccuracy,
    bestTestAccuracy: outcome.bestTestAccuracy,
    valAccuracy: outcome.valAccuracy,
    testLoss: outcome.testLoss,
    trainFlops: outcome.trainFlops,
    inferenceFlops: outcome.inferenceFlops,
    inferenceFlopsRatio: outcome.inferenceFlopsRatio,
    finalSparsity: outcome.finalSparsity,
    parameters: outcome.parameters,
  };
  store.setRunProgress(runId, outcome.stepsDone);
  const at = `at step ${count(outcome.stepsDone)}`;
  if (outcome.status === 'completed') {
    store.finishRun(runId, final);
    store.appendRunLog(runId, 'info', `completed ${at}`);
    return 'completed';
  }
  // The log says how the run ended, as the status does: a stop is a line of its own there.
  const [status, level, error] =
    outcome.status === 'diverged'
      ? (['diverged', 'error', `loss was not finite at step ${count(outcome.divergedStep)}`] as const)
      : interrupted
        ? (['interrupted', 'warn', `stopped ${interrupted.why}; ${resumeNote(store, runId)}`] as const)
        : (['cancelled', 'info', `stopped on request (Cancel in the app, or Ctrl-C); ${resumeNote(store, runId)}`] as const);
  // What it measured up to the stop, which its page and `show` give until a resume replaces it.
  store.updateRunStatus(runId, status, { error, results: final, ...(status === 'diverged' ? { divergedStep: outcome.divergedStep ?? 0 } : {}) });
  store.appendRunLog(runId, level, `${status} ${at}: ${error}`);
  return status;
}
