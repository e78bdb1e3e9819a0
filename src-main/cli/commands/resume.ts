import { parseArgs } from 'node:util';
import { openStore } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { STORE_FLAGS, storeLocation } from '../options.js';
import { executeRuns } from './run.js';

export const RESUME_HELP = `rigl-lab resume RUN [RUN …] [--db FILE] [--data-dir DIR] [--json]
  Continues interrupted, failed, cancelled or diverged runs from their last checkpoint (every epoch
  by default), with the same output as rigl-lab run. What was recorded after that checkpoint is
  replaced, so the finished run is the same as one that was never stopped.`;

const RESUMABLE = new Set(['interrupted', 'failed', 'cancelled', 'diverged']);

export async function resumeCommand(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: STORE_FLAGS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see rigl-lab resume --help)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('RUN: give the id of the run to resume (from rigl-lab list)');
  const ids = positionals.map((raw) => {
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`RUN: "${raw}" is not a run id`);
    return id;
  });
  const location = storeLocation(values);
  const store = openStore(location.dbPath);
  try {
    // A run left "running" by a process that died is interrupted; say so before checking.
    store.markStaleRunningAsInterrupted();
    for (const id of ids) {
      const run = store.getRun(id);
      if (!run) throw new UsageError(`RUN: no run ${id} in ${location.dbPath}`);
      if (!RESUMABLE.has(run.status)) {
        throw new UsageError(`RUN: run ${id} is ${run.status}; only interrupted, failed, cancelled or diverged runs resume`);
      }
    }
    for (const id of ids) store.updateRunStatus(id, 'queued');
    return await executeRuns(store, ids, location.dataDir, ctx, values.json === true);
  } finally {
    store.close();
  }
}
