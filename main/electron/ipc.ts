import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CALLS, channelOf, type CallName, type Envelope } from '../../app/contract';

/** What IPC registration needs of the backend. */
export interface Dispatcher {
  dispatch(name: string, input: unknown): Promise<Envelope<unknown>>;
}

/**
 * Registers exactly the contract's calls with `ipcMain.handle` (issue 3): the sender is checked
 * first, then the backend parses the input with the call's schema before any handler runs.
 * Returns the channels registered, for tests and teardown.
 */
export function registerContract(ipc: Pick<IpcMain, 'handle'>, backend: Dispatcher, trusted: (event: IpcMainInvokeEvent) => boolean): string[] {
  const channels: string[] = [];
  for (const name of Object.keys(CALLS) as CallName[]) {
    const channel = channelOf(name);
    ipc.handle(channel, async (event, input: unknown): Promise<Envelope<unknown>> => {
      if (!trusted(event)) {
        return { ok: false, error: { code: 'forbidden', message: 'Refused: this call did not come from the console window.' } };
      }
      return backend.dispatch(name, input);
    });
    channels.push(channel);
  }
  return channels;
}
