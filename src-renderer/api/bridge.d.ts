import type { ApiError } from '../../src-shared/api/contract.js';

/** What Electron's preload puts on `window` (contextBridge): the only door to the main process. */
export interface RiglLabBridge {
  invoke(method: string, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiError }>;
  /** Subscribes to every pushed event; returns the unsubscribe function. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    /** Present only inside the desktop app. */
    riglLab?: RiglLabBridge;
  }
}
