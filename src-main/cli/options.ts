import { defaultPaths } from '../store/index.js';

/** Flags every command that touches the store or the data takes. */
export const STORE_FLAGS = {
  db: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface StoreLocation {
  dbPath: string;
  dataDir: string;
}

export function storeLocation(values: { db?: string | undefined; 'data-dir'?: string | undefined }): StoreLocation {
  const paths = defaultPaths();
  return { dbPath: values.db ?? paths.database, dataDir: values['data-dir'] ?? paths.dataDir };
}
