import type { RunStatus } from '../../src-shared/api/records.js';

/**
 * The moves a run may make. A run that stopped without completing goes back to the queue to be
 * retried or resumed; a completed run is final (a new run repeats it).
 */
const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  // `failed` straight from the queue: the worker could not start it; `interrupted` (or
  // `cancelled`) with the rigl-lab command that queued it and was stopped before reaching it.
  queued: ['running', 'cancelled', 'failed', 'interrupted'],
  running: ['completed', 'failed', 'cancelled', 'interrupted', 'diverged'],
  completed: [],
  failed: ['queued'],
  cancelled: ['queued'],
  interrupted: ['queued'],
  diverged: ['queued'],
};

export function canMove(from: RunStatus, to: RunStatus): boolean {
  return NEXT[from].includes(to);
}
