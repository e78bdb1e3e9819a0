import { reactive } from 'vue';

export type ConnectionStatus = 'connecting' | 'open' | 'lost' | 'refused';

/**
 * How the way to the back end is doing, for the banner. The desktop bridge is always open; the
 * WebSocket goes through the other states. `generation` counts (re)connections so that views
 * reload what they may have missed while the link was down.
 */
export interface ConnectionState {
  status: ConnectionStatus;
  /** When the next reconnect attempt starts (ms since epoch), while lost. */
  retryAt: number | null;
  generation: number;
  /** Why the last connection ended, in words. */
  detail: string;
}

export function createConnectionState(): ConnectionState {
  return reactive({ status: 'connecting', retryAt: null, generation: 0, detail: '' });
}
