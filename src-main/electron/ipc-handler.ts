import type { CallEnvelope } from '../../src-shared/contract';
import type { Dispatch } from '../core/dispatch';

/** The parts of Electron's IpcMainInvokeEvent we rely on (kept structural so tests need no Electron). */
export interface IpcCallEvent {
  senderFrame: { url: string } | null;
  sender: { id: number };
}

/**
 * The one `handle()` behind every IPC call: drops calls from any sender but our window's main
 * frame, then lets the dispatcher validate the method and input; errors come back as envelopes.
 */
export function createIpcCallHandler(dispatch: Dispatch, isTrustedSender: (event: IpcCallEvent) => boolean) {
  return async (event: IpcCallEvent, method: unknown, input: unknown): Promise<CallEnvelope<unknown>> => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'UNAUTHORIZED', message: 'call refused: not from the Histo Workstation window' } };
    }
    return dispatch(method, input);
  };
}
