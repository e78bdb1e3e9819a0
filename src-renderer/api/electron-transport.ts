import { ApiCallError, type ApiTransport } from '../../src-shared/api/client.js';
import type { RiglLabBridge } from './bridge.js';

/** Calls through the preload bridge; IPC never drops, so there is no connection to watch. */
export function electronTransport(bridge: RiglLabBridge): ApiTransport {
  return {
    async call(method, params) {
      const response = await bridge.invoke(method, params);
      if (!response.ok) throw new ApiCallError(response.error);
      return response.result;
    },
    subscribe(listener) {
      return bridge.onEvent(listener);
    },
  };
}
