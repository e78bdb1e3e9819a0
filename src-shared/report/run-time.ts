import type { RunRecord } from '../api/records.js';
import type { RunConfig } from '../config/run.js';
import { duration, percent } from './format.js';
import { fieldApplies, NOT_COMPARED } from './comparable.js';
import { flattenConfig } from './config-diff.js';
import type { RunGroup } from './groups.js';
import { isFullDense } from './variants.js';

/** The backend and device a run trained on ("wasm: CPU (WebAssembly SIMD, 2 threads)"), or null where it is not known. */
export function deviceOf(run: RunRecord): string | null {
  return run.backend === null || run.device === null ? null : `${run.backend}: ${run.device}`;
}

/**
 * Whether a run trained while other runs did for more than a twentieth of its time: sharing the
 * processor (or GPU) with them, its time is not its method's alone. Unknown (older runs): no.
 */
export function trainedAlongsideOthers(run: RunRecord): boolean {
  return run.sharedS !== null && run.durationS !== null && run.sharedS > SHARED_SHARE * run.durationS;
}

/** "42% of it alongside other runs", for a run that trainedAlongsideOthers; else null. */
export function sharedTimeNote(run: RunRecord): string | null {
  return trainedAlongsideOthers(run) ? `${percent(run.sharedS! / run.durationS!, 0)} of it alongside other runs` : null;
}

const SHARED_SHARE = 0.05;

/** The marker of a run time some of whose runs shared the machine (see runTimeCaption). */
export const SHARED_MARK = '‡';

/** A group's Run time cell: mean wall clock per run, marked where some of its runs shared the machine. */
export function runTimeCell(group: RunGroup): string {
  return group.timeShared ? `${duration(group.durationS.mean)} ${SHARED_MARK}` : duration(group.durationS.mean);
}

/** A group's run_time_shared CSV cell (see runTimeCell). */
export function runTimeSharedCsv(group: RunGroup): 'yes' | 'no' {
  return group.timeShared ? 'yes' : 'no';
}

/** Where a group may differ from the dense runs it is timed against: the method, and the width (Small-Dense is timed against the full network). */
const NOT_MATCHED = [...NOT_COMPARED, 'method', 'widthMultiplier'];

/** The config as far as dense training reads it, less NOT_MATCHED: equal for a sparse run and the dense run of its recipe. */
function denseRecipe(config: RunConfig): string {
  const flat = flattenConfig(config);
  const read = Object.keys(flat).filter((path) => fieldApplies(path, 'dense') && !NOT_MATCHED.some((f) => path === f || path.startsWith(`${f}.`)));
  return JSON.stringify(read.sort().map((path) => [path, flat[path]]));
}

/**
 * A group's wall-clock time per run as a multiple of that of the full dense runs of the same
 * recipe (model, data, length, optimizer) on the same backend and device; null where there are
 * none among `groups`, where either group's runs did not all train on one device, or where some
 * of either's runs shared the machine with other runs. Times from different machines, thread
 * counts or backends, or slowed by other runs, say nothing about the method.
 */
export function timeVsDense(group: RunGroup, groups: readonly RunGroup[]): number | null {
  const time = group.durationS.mean;
  if (group.device === null || time === null || group.timeShared) return null;
  const recipe = denseRecipe(group.config);
  const dense = groups.find(
    (d) => isFullDense(d.config) && d.device === group.device && !d.timeShared && d.durationS.mean !== null && d.durationS.mean > 0 && denseRecipe(d.config) === recipe,
  );
  return dense ? time / dense.durationS.mean! : null;
}
