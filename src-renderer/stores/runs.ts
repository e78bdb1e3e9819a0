import { defineStore } from 'pinia';
import { reactive, ref, shallowRef, watch } from 'vue';
import type { z } from 'zod';
import type { runOrderSchema } from '../../src-shared/api/contract.js';
import type { RunRecord, RunStatus } from '../../src-shared/api/records.js';
import { api, connection } from '../api/index.js';
import { debounced } from '../debounced.js';

export type RunOrder = z.infer<typeof runOrderSchema>;

const RELOAD_DELAY_MS = 300;

/**
 * The runs table: its query (kept while the user opens a run and comes back), the page of rows
 * the server returned, and the selection, which spans pages and feeds Compare and Delete.
 * Filtering, search, order and paging happen on the server, so 1,000 runs cost one page of rows.
 */
export const useRunsStore = defineStore('runs', () => {
  const query = reactive({
    status: [] as RunStatus[],
    search: '',
    orderBy: 'newest' as RunOrder,
    experimentId: null as number | null,
    page: 0,
    pageSize: 50,
  });
  const rows = shallowRef<RunRecord[]>([]);
  const total = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** Selected runs by id, with the record as it was when selected (for the delete list). */
  const selected = reactive(new Map<number, RunRecord>());
  let latest = 0;
  let viewers = 0;

  async function load(): Promise<void> {
    const ticket = ++latest;
    loading.value = true;
    try {
      const result = await api.call('runs.list', {
        status: query.status.length > 0 ? query.status : undefined,
        search: query.search.trim() || undefined,
        orderBy: query.orderBy,
        experimentId: query.experimentId ?? undefined,
        limit: query.pageSize,
        offset: query.page * query.pageSize,
      });
      // An older answer arriving after a newer one must not overwrite it.
      if (ticket !== latest) return;
      rows.value = result.runs;
      total.value = result.total;
      error.value = null;
      const lastPage = Math.max(0, Math.ceil(result.total / query.pageSize) - 1);
      if (query.page > lastPage) query.page = lastPage;
    } catch (e) {
      if (ticket === latest) error.value = (e as Error).message;
    } finally {
      if (ticket === latest) loading.value = false;
    }
  }

  const reload = debounced(() => void load(), RELOAD_DELAY_MS);
  function scheduleReload(): void {
    if (viewers > 0) reload.schedule();
  }

  /** Replaces one row in place (after an edit) without a round trip for the page. */
  function replace(run: RunRecord): void {
    rows.value = rows.value.map((r) => (r.id === run.id ? run : r));
    if (selected.has(run.id)) selected.set(run.id, run);
  }

  api.on('runs.changed', scheduleReload);
  api.on('run.status', (s) => {
    // A completed run waits for the reload, which brings its accuracy and FLOPs with the status:
    // patched alone, it showed "Completed" with no result for a moment.
    if (s.status !== 'completed' && rows.value.some((r) => r.id === s.runId)) {
      rows.value = rows.value.map((r) => (r.id === s.runId ? { ...r, status: s.status, error: s.error } : r));
    }
    scheduleReload();
  });
  api.on('run.epoch', scheduleReload);
  // Queue moves change queue positions (the "queue order" sort) without touching the runs.
  api.on('queue.changed', scheduleReload);
  watch(
    () => [query.status.slice(), query.orderBy, query.experimentId, query.page, query.pageSize] as const,
    () => {
      if (viewers > 0) void load();
    },
  );
  watch(
    () => connection.generation,
    () => {
      if (viewers > 0) void load();
    },
  );

  return {
    query,
    /**
     * Shows every run of an experiment just launched: a search or status filter kept from before
     * would hide some, and in queue order the one that trains heads the list (newest first put it,
     * the grid's lowest id, below all the queued ones).
     */
    showExperiment(id: number): void {
      Object.assign(query, { status: [], search: '', experimentId: id, page: 0, orderBy: 'queue' });
    },
    rows,
    total,
    loading,
    error,
    selected,
    load,
    replace,
    /** The table is on screen: keep it current. Returns the function to call when it leaves. */
    watchRows(): () => void {
      viewers++;
      void load();
      return () => {
        viewers--;
      };
    },
    toggle(run: RunRecord): void {
      if (selected.has(run.id)) selected.delete(run.id);
      else selected.set(run.id, run);
    },
    clearSelection(): void {
      selected.clear();
    },
  };
});
