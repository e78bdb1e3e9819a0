import { MAX_MESSAGE_BYTES } from '../../src-shared/api/contract.js';

/** The renderer's origin: everything the window loads comes from here, and only here may call the api. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'rigl-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Whether a frame's URL is the app's own page (not a page it was navigated to, not a subframe elsewhere). */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** An IPC call's arguments, refused before any parsing when they are oversized or not a method name. */
export function checkIpcCall(method: unknown, params: unknown): { method: string; params: unknown } {
  if (typeof method !== 'string' || method.length > 100) throw new Error('the method must be a name');
  const size = JSON.stringify(params ?? null)?.length ?? 0;
  if (size > MAX_MESSAGE_BYTES) throw new Error(`the request is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  return { method, params };
}
