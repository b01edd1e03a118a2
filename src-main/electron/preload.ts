// The whole bridge between the sandboxed renderer and the core: one global, two functions, fixed
// channel names. Method names and inputs are validated on the main side, never trusted here.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
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
  // Dropped files carry no path in a sandboxed page; Electron resolves it here, for File objects only.
  pathForFile: (file) => (file instanceof File ? webUtils.getPathForFile(file) : ''),
};

contextBridge.exposeInMainWorld('histo', bridge);
