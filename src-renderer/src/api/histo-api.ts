import type {
  ErrorCode,
  EventName,
  EventPayload,
  HistoBridge,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../../src-shared/contract';
import { resolveBridge } from './bridge';

/** A failed call, with the code the core gave it, thrown to stores instead of an envelope. */
export class HistoCallError extends Error {
  override readonly name = 'HistoCallError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly method: MethodName,
  ) {
    super(message);
  }
}

let activeBridge: HistoBridge | null = null;

/** Chooses the bridge; main.ts installs the real one at start-up, tests install their own. */
export function installBridge(bridge: HistoBridge): void {
  activeBridge = bridge;
}

function bridge(): HistoBridge {
  activeBridge ??= resolveBridge();
  return activeBridge;
}

/** Calls a contract method and returns its result, or throws a HistoCallError. */
export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  let envelope;
  try {
    envelope = await bridge().call(method, input);
  } catch (err) {
    // A bridge should never throw, but a broken preload must still surface as a call error.
    throw new HistoCallError('INTERNAL', `${method}: ${err instanceof Error ? err.message : String(err)}`, method);
  }
  if (envelope.ok) return envelope.result;
  throw new HistoCallError(envelope.error.code, envelope.error.message, method);
}

/** Subscribes to an event the core pushes; returns the unsubscribe function. */
export function onEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return bridge().on(event, listener);
}

/** A store's error state from anything a call threw. */
export function toCallError(err: unknown, method: MethodName): HistoCallError {
  if (err instanceof HistoCallError) return err;
  return new HistoCallError('INTERNAL', err instanceof Error ? err.message : String(err), method);
}

/**
 * The path the core can read for a dropped File: Electron reads it off the file; a browser page
 * cannot, so the file is uploaded to `histo serve`, which keeps it beside the project.
 */
export async function pathOfDroppedFile(file: File, onProgress?: (sent: number, total: number) => void): Promise<string> {
  const active = bridge();
  const local = active.pathForFile?.(file) ?? '';
  if (local) return local;
  if (!active.uploadFile) throw new HistoCallError('BAD_INPUT', `${file.name}: the app could not tell where this file is; use Browse… instead`, 'file.route');
  const envelope = await active.uploadFile(file, onProgress);
  if (!envelope.ok) throw new HistoCallError(envelope.error.code, envelope.error.message, 'file.route');
  return envelope.result.path;
}

/** Native dialogs exist only in the desktop app; the browser mode uses the file browser instead. */
export function hasNativeDialogs(): boolean {
  return typeof bridge().pathForFile === 'function';
}
