// The preload (sandboxed, context-isolated): exposes exactly the contract as `window.breakglass`,
// named methods only — no ipcRenderer, no generic invoke (issue 3; style.md "What we take" 3).
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from '../../app/api';
import type { Envelope } from '../../app/contract';
import { channelOf, type CallName } from '../../app/contractNames';

contextBridge.exposeInMainWorld(
  'breakglass',
  buildApi(
    (name, input) => ipcRenderer.invoke(channelOf(name as CallName), input) as Promise<Envelope<unknown>>,
    (event, listener) => {
      const handler = (_e: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(channelOf(event), handler);
      return () => {
        ipcRenderer.removeListener(channelOf(event), handler);
      };
    },
  ),
);
