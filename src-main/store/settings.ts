import { settingsSchema, type Settings } from '../../src-shared/api/contract.js';
import { parseWith } from '../../src-shared/config/run.js';
import { immediate, type StoreContext } from './context.js';
import { parseRow } from './rows.js';

/** What a fresh install uses: the best backend found, one run at a time (training keeps a core busy). */
const DEFAULT_SETTINGS: Settings = { backend: 'auto', concurrency: 1 };

const updateSchema = settingsSchema.partial().strict();

export function settingsQueries(ctx: StoreContext) {
  const { db, file } = ctx;
  const selectAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');

  function getSettings(): Settings {
    const stored = Object.fromEntries(selectAll.all().map((row) => [row.key, JSON.parse(row.value) as unknown]));
    return parseRow(settingsSchema, { ...DEFAULT_SETTINGS, ...stored }, 'settings', file);
  }

  return {
    /** The stored settings, defaults filling what was never set. */
    getSettings,
    /** Changes the settings given and returns them all. */
    updateSettings: immediate(db, (patch: Partial<Settings>): Settings => {
      const checked = parseWith(updateSchema, patch, 'settings');
      for (const [key, value] of Object.entries(checked)) {
        if (value !== undefined) upsert.run(key, JSON.stringify(value));
      }
      return getSettings();
    }),
  };
}
