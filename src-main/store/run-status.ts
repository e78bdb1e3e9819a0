import type { RunStatus } from '../../src-shared/api/records.js';

/**
 * The moves a run may make. A run that stopped without completing goes back to the queue to be
 * retried or resumed; a completed run is final (a new run repeats it).
 */
const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  // `failed` straight from the queue: the worker could not start it.
  queued: ['running', 'cancelled', 'failed'],
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
