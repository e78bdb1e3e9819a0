import { parseArgs } from 'node:util';
import { openStore } from '../../store/index.js';
import { resumeOutcomeOf } from '../../runner/checkpoint-files.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { STORE_FLAGS, storeLocation } from '../options.js';
import { parseFlags, parseRunIds } from '../parse-flags.js';
import { executeRuns } from './run.js';
import { checkThreadsEnv } from '../threads-env.js';

export const RESUME_HELP = `rigl-lab resume RUN [RUN …] [--db FILE] [--data-dir DIR] [--json]
  Continues interrupted, failed, cancelled or diverged runs from their last checkpoint (every epoch
  by default), with the same output as rigl-lab run. What was recorded after that checkpoint is
  replaced, so the finished run is the same as one that was never stopped. Queued runs (left by a
  rigl-lab run or resume killed before it reached them, or waiting in the app's queue) start
  here at once, from their newest checkpoint if they have one.`;

const RESUMABLE = new Set(['interrupted', 'failed', 'cancelled', 'diverged']);

export async function resumeCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('resume', () => parseArgs({ args, options: STORE_FLAGS, strict: true, allowPositionals: true, allowNegative: true }));
  const ids = parseRunIds(positionals, 'resume', false);
  const threadsNote = checkThreadsEnv();
  const location = storeLocation(values);
  const store = openStore(location.dbPath);
  try {
    // A run left "running" by a process that died is interrupted; say so before checking.
    store.markStaleRunningAsInterrupted();
    const runs = ids.map((id) => {
      const run = store.getRun(id);
      if (!run) throw new UsageError(`RUN: no run ${id} in ${location.dbPath}`);
      if (!RESUMABLE.has(run.status) && run.status !== 'queued') {
        throw new UsageError(`RUN: run ${id} is ${run.status}; only interrupted, failed, cancelled or diverged runs resume, and queued ones start`);
      }
      return run;
    });
    // Queued ones first, so that a refusal leaves the stopped ones as they were.
    for (const run of runs) {
      if (run.status === 'queued' && !store.holdQueuedRun(run.id)) {
        throw new UsageError(`RUN: run ${run.id} is queued for another rigl-lab command (pid ${run.ownerPid}), which trains it`);
      }
    }
    if (threadsNote !== null) ctx.err(`note: ${threadsNote}`);
    for (const run of runs) ctx.err(run.status === 'queued' ? `starting run ${run.id} (queued, not trained yet)` : `resuming run ${run.id}: ${resumeOutcomeOf(store, run.id)}`);
    for (const run of runs) if (run.status !== 'queued') store.updateRunStatus(run.id, 'queued', { held: true });
    return await executeRuns(store, ids, location.dataDir, ctx, values.json === true);
  } finally {
    store.close();
  }
}
