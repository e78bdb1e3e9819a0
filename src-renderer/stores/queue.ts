import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import type { QueueState, RunProgress } from '../../src-shared/api/contract.js';
import { api, connection } from '../api/index.js';
import { debounced } from '../debounced.js';

const RELOAD_DELAY_MS = 250;

/**
 * The queue and the live progress of running runs (this queue's, and those another process
 * trains on the same database), shared by the header, the runs table and the run page. Kept
 * current by `queue.changed`, `run.progress` and `run.status` pushes, and reloaded whole after a
 * reconnect (pushes may have been missed meanwhile).
 */
export const useQueueStore = defineStore('queue', () => {
  const state = ref<QueueState | null>(null);
  /** Latest progress per running run id. */
  const progress = reactive(new Map<number, RunProgress>());
  const error = ref<string | null>(null);

  function apply(next: QueueState): void {
    state.value = next;
    const training = [...next.active, ...next.elsewhere];
    for (const active of training) if (active.progress) progress.set(active.runId, active.progress);
    const running = new Set(training.map((a) => a.runId));
    for (const id of progress.keys()) if (!running.has(id)) progress.delete(id);
  }

  /** Runs a queue command; its failure is kept for the header to show as well as thrown. */
  async function act<T>(call: () => Promise<T>): Promise<T> {
    error.value = null;
    try {
      return await call();
    } catch (e) {
      error.value = (e as Error).message;
      throw e;
    }
  }
  const command = (call: () => Promise<QueueState>) => act(call).then(apply);

  const load = () => command(() => api.call('queue.state', {}));

  api.on('queue.changed', apply);
  // Creating or deleting runs changes the queue without a queue.changed push while it is paused.
  const reload = debounced(() => void load().catch(() => undefined), RELOAD_DELAY_MS);
  api.on('runs.changed', reload.schedule);
  api.on('run.progress', (p) => progress.set(p.runId, p));
  api.on('run.status', (s) => {
    if (s.status !== 'running') progress.delete(s.runId);
  });
  watch(
    () => connection.generation,
    (generation) => {
      if (generation > 0) void load().catch(() => undefined);
    },
    { immediate: true },
  );

  const queuedIds = computed(() => state.value?.queued ?? []);

  return {
    state,
    progress,
    error,
    runningCount: computed(() => (state.value ? state.value.active.length + state.value.elsewhere.length : 0)),
    /** The running runs that another process trains: it, not this queue, stops them. */
    elsewhere: computed(() => state.value?.elsewhere ?? []),
    /** Whether another process trains the run. */
    trainsElsewhere: (runId: number): boolean => state.value?.elsewhere.some((r) => r.runId === runId) ?? false,
    queuedCount: computed(() => queuedIds.value.length),
    paused: computed(() => state.value?.paused ?? false),
    /** 0-based place in the queue, or null when the run is not queued. */
    positionOf: (runId: number): number | null => {
      const i = queuedIds.value.indexOf(runId);
      return i < 0 ? null : i;
    },
    load,
    pause: () => command(() => api.call('queue.pause', {})),
    resume: () => command(() => api.call('queue.resume', {})),
    cancel: (runId: number) => command(() => api.call('queue.cancel', { runId })),
    /** Resolves with the id of the run that was queued (a copy, for a completed run). */
    rerun: (runId: number) => act(() => api.call('queue.rerun', { runId })).then((r) => r.runId),
    move: (runId: number, position: number) => command(() => api.call('queue.move', { runId, position })),
  };
});
