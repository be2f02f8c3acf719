/**
 * Exposes the contract to the sandboxed renderer as `window.haven`. Generic by design: it knows
 * the method and event names, not what any of them do; main validates everything.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventNames, ipcChannels, isMethodName, type HavenApi } from './contract';

const api: HavenApi = {
  call: (method, input) => {
    if (!isMethodName(method)) return Promise.reject(new Error(`Unknown method ${String(method)}`));
    return ipcRenderer.invoke(ipcChannels.call, method, input);
  },
  on: (event, listener) => {
    if (!eventNames.includes(event)) throw new Error(`Unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(ipcChannels.event, handler);
    return () => ipcRenderer.removeListener(ipcChannels.event, handler);
  },
};

contextBridge.exposeInMainWorld('haven', api);
