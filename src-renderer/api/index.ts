import { ApiClient } from '../../src-shared/api/client.js';
import { createConnectionState } from './connection.js';
import { electronTransport } from './electron-transport.js';
import { takeAccessToken } from './token.js';
import { WebSocketTransport, apiSocketUrl } from './websocket-transport.js';

export { ApiCallError } from '../../src-shared/api/client.js';

/** The link's state, shown by the banner and watched by views that reload after a reconnect. */
export const connection = createConnectionState();

function createApi(): { api: ApiClient; reconnectNow: () => void } {
  const bridge = window.riglLab;
  if (bridge) {
    connection.status = 'open';
    connection.generation = 1;
    return { api: new ApiClient(electronTransport(bridge)), reconnectNow: () => undefined };
  }
  const token = takeAccessToken();
  const socket = new WebSocketTransport(apiSocketUrl(window.location, token), connection, token !== null);
  return { api: new ApiClient(socket), reconnectNow: () => socket.reconnectNow() };
}

const created = createApi();

/** The one client every page and store uses; which transport carries it is decided here only. */
export const api = created.api;
export const reconnectNow = created.reconnectNow;
