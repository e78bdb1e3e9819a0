import type { RunRecord } from '../api/records.js';
import type { RunConfig } from '../config/run.js';
import { groupBy } from '../group-by.js';
import { comparableKey } from './comparable.js';
import { configLabel, labelFields } from './labels.js';
import { deviceOf, trainedAlongsideOthers } from './run-time.js';
import { meanStd, type MeanStd } from './stats.js';
import { variantOf } from './variants.js';

export type AccuracyKind = 'final' | 'best';

/** Runs that differ only in their seed (and bookkeeping): one point with mean ± std in a figure. */
export interface RunGroup {
  key: string;
  runs: RunRecord[];
  /** The first run's config, standing for the group. */
  config: RunConfig;
  /** Names the fields that set this group apart from the other groups. */
  label: string;
  seeds: number[];
  accuracy: MeanStd;
  /** Training FLOPs against the standard dense run's (plan.ts standardDenseTrainFlops). */
  trainFlopsRatio: MeanStd;
  inferenceFlopsRatio: MeanStd;
  /** Each run's wall-clock time, all sessions summed (seconds). */
  durationS: MeanStd;
  /** The backend and device every run of the group trained on; null when they differ or one is not known. */
  device: string | null;
  /** Some of its runs trained while other runs did (see trainedAlongsideOthers). */
  timeShared: boolean;
}

export function groupRuns(runs: readonly RunRecord[], kind: AccuracyKind): RunGroup[] {
  const byKey = groupBy(runs, (run) => comparableKey(run.config));
  const fields = labelFields([...byKey.values()].map((list) => (list[0] as RunRecord).config));
  // Methods in their usual order (dense first), so legends and tables list them the same way everywhere.
  const entries = [...byKey.entries()].sort(([, [a]], [, [b]]) => {
    const x = (a as RunRecord).config;
    const y = (b as RunRecord).config;
    return variantOf(x).order - variantOf(y).order || x.sparsity - y.sparsity || y.widthMultiplier - x.widthMultiplier;
  });
  return entries.map(([key, all]) => {
    const list = onePerSeed(all);
    const config = (list[0] as RunRecord).config;
    return {
      key,
      runs: list,
      config,
      label: configLabel(config, fields, true),
      seeds: list.map((r) => r.config.seed).sort((a, b) => a - b),
      accuracy: meanStd(list.map((r) => (kind === 'best' ? r.bestTestAccuracy : r.testAccuracy))),
      trainFlopsRatio: meanStd(list.map((r) => r.trainFlopsRatio)),
      inferenceFlopsRatio: meanStd(list.map((r) => r.inferenceFlopsRatio)),
      durationS: meanStd(list.map((r) => r.durationS)),
      device: sharedDevice(list),
      timeShared: list.some(trainedAlongsideOthers),
    };
  });
}

/**
 * One run per seed: a run re-run with the same config and seed is the same sample again, and
 * counted twice it would pull the mean toward itself and shrink the spread. The newest completed
 * run of each seed stands for it (the newest of any status until one has completed).
 */
function onePerSeed(runs: readonly RunRecord[]): RunRecord[] {
  const bySeed = new Map<number, RunRecord>();
  const completed = (r: RunRecord): boolean => r.status === 'completed';
  for (const run of runs) {
    const kept = bySeed.get(run.config.seed);
    const replaces = kept === undefined || (completed(run) === completed(kept) ? run.id > kept.id : completed(run));
    if (replaces) bySeed.set(run.config.seed, run);
  }
  return runs.filter((r) => bySeed.get(r.config.seed) === r);
}

function sharedDevice(runs: readonly RunRecord[]): string | null {
  const devices = new Set(runs.map(deviceOf));
  const [only] = devices;
  return devices.size === 1 && only !== undefined ? only : null;
}
