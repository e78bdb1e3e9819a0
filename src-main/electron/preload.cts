import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

/**
 * The whole surface the page gets: one call and one event stream, matching the renderer's
 * ApiTransport. Never ipcRenderer itself. (A sandboxed preload must be CommonJS, hence .cts.)
 */
contextBridge.exposeInMainWorld('riglLab', {
  invoke: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke('rigl-lab:invoke', method, params),
  onEvent: (listener: (event: string, payload: unknown) => void): (() => void) => {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on('rigl-lab:event', handler);
    return () => void ipcRenderer.removeListener('rigl-lab:event', handler);
  },
});
