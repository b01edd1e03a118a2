// The whole bridge between the sandboxed renderer and the core: one global, two functions, fixed
// channel names. Method names and inputs are validated on the main side, never trusted here.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { HistoBridge } from '../../src-shared/contract';
import { ipcChannels as channels } from '../../src-shared/contract/ipc-channels';

const bridge: HistoBridge = {
  call: (method, input) => ipcRenderer.invoke(channels.call, method, input),
  on: (event, listener) => {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(channels.event, handler);
    return () => ipcRenderer.removeListener(channels.event, handler);
  },
};

contextBridge.exposeInMainWorld('histo', bridge);
