import type { ApiEvent, ApiEventPayload } from '../../src-shared/api/contract.js';
import type { WorkerLauncher } from '../runner/launcher.js';
import { RunQueue } from '../runner/queue.js';
import { openStore, type Store } from '../store/index.js';
import { createApiHandler } from './handlers.js';

export type EventListener = (event: ApiEvent, payload: unknown) => void;

export interface Backend {
  store: Store;
  queue: RunQueue;
  /** Answers one api call; throws for bad methods or params (ConfigError names the fields). */
  handle(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: EventListener): () => void;
  /** Interrupts the runs training here (see RunQueue.close), then closes the store; resolves with those runs. */
  close(why: string): Promise<number[]>;
}

export interface BackendOptions {
  dbPath: string;
  dataDir: string;
  mode: 'electron' | 'web';
  launch: WorkerLauncher;
}

/** Store, queue and api handlers put together: what a desktop window or a browser talks to. */
export function createBackend(options: BackendOptions): Backend {
  const store = openStore(options.dbPath);
  const listeners = new Set<EventListener>();
  const emit = <E extends ApiEvent>(event: E, payload: ApiEventPayload<E>): void => {
    for (const listener of listeners) listener(event, payload);
  };
  const queue = new RunQueue({
    store,
    dbPath: options.dbPath,
    dataDir: options.dataDir,
    launch: options.launch,
    emit,
    concurrency: store.getSettings().concurrency,
  });
  const handle = createApiHandler({ store, queue, emit, dbPath: options.dbPath, dataDir: options.dataDir, mode: options.mode });
  queue.start();
  return {
    store,
    queue,
    handle,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close(why) {
      const interrupted = await queue.close(why);
      store.close();
      return interrupted;
    },
  };
}
