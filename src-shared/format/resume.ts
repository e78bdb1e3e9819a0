import { count } from '../report/format.js';

/**
 * What resuming a stopped run does ("continues it from its checkpoint at step 1,200"), given its
 * newest checkpoint's step (null: it has none) and how often it writes them (0: never).
 */
export function resumeOutcome(checkpointStep: number | null, checkpointEvery: number): string {
  if (checkpointStep !== null) return `continues it from its checkpoint at step ${count(checkpointStep)}`;
  return checkpointEvery === 0 ? 'starts it over: it keeps no checkpoints' : 'starts it over: it has no checkpoint yet';
}
