import type { RunStatus } from '../../src-shared/api/records.js';
export const STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  diverged: 'Diverged',
};

/** Statuses a run leaves the queue in; it can be run again from any of them. */
export const FINISHED_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted', 'diverged'];
