import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { Settings, SystemInfo } from '../../src-shared/api/contract.js';
import { api, connection } from '../api/index.js';

/** What the back end runs on and the user's settings: read once per connection. */
export const useSystemStore = defineStore('system', () => {
  const info = ref<SystemInfo | null>(null);
  const settings = ref<Settings | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    error.value = null;
    try {
      const [i, s] = await Promise.all([api.call('system.info', {}), api.call('settings.get', {})]);
      info.value = i;
      settings.value = s;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  async function update(patch: Partial<Settings>): Promise<void> {
    settings.value = await api.call('settings.update', patch);
  }

  watch(
    () => connection.generation,
    (generation) => {
      if (generation > 0) void load();
    },
    { immediate: true },
  );

  return { info, settings, error, load, update };
});
