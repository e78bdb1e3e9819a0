import { onBeforeUnmount, watch } from 'vue';
import type { ApiEvent } from '../../src-shared/api/contract.js';
import { api, connection } from '../api/index.js';
import { debounced } from '../debounced.js';

/**
 * Keeps a view's data current while it is on screen: loads now, again after a reconnect, and
 * (debounced, since a grid launch or a busy queue sends bursts) whenever one of `events` arrives
 * and `relevant` accepts its payload. `eventsOnly`: only the events (another hook of the view
 * does the rest).
 */
export function useLiveReload<E extends ApiEvent>(
  load: () => Promise<void> | void,
  events: readonly E[],
  options: { delayMs?: number; relevant?: (event: E, payload: unknown) => boolean; eventsOnly?: boolean } = {},
): () => void {
  const reload = debounced(() => void load(), options.delayMs ?? 400);
  const stops = events.map((event) =>
    api.on(event, (payload) => {
      if (!options.relevant || options.relevant(event, payload)) reload.schedule();
    }),
  );
  const stopWatch = options.eventsOnly
    ? () => undefined
    : watch(
        () => connection.generation,
        (generation, previous) => {
          if (generation > 0 && generation !== previous) void load();
        },
      );
  if (!options.eventsOnly) void load();
  onBeforeUnmount(() => {
    reload.cancel();
    for (const stop of stops) stop();
    stopWatch();
  });
  return reload.schedule;
}
