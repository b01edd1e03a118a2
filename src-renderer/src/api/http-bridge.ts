import {
  events,
  type CallEnvelope,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type HistoBridge,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from '../../../src-shared/contract';

/** The part of the browser WebSocket we use, so tests can hand in their own socket. */
export interface EventSocket {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(): void;
}

export interface HttpBridgeOptions {
  /** Origin of the `histo serve` server, e.g. `http://127.0.0.1:5123`. */
  baseUrl: string;
  /** Sent as X-Histo-Token; null when the HttpOnly cookie alone authenticates us. */
  token: string | null;
  fetch?: typeof fetch;
  openSocket?: (url: string) => EventSocket;
  /** Reconnect delays of the event socket: doubled from `initialMs` after each failure, up to `maxMs`. */
  reconnect?: { initialMs: number; maxMs: number };
}

const TOKEN_HEADER = 'X-Histo-Token';
/** Bytes per upload request; the server takes up to 8 MiB. */
const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;
const DEFAULT_RECONNECT = { initialMs: 500, maxMs: 15_000 };

/** A failure of the transport itself (server gone, proxy page, garbage), in the envelope every caller already handles. */
function transportFailure(message: string, code: ErrorCode = 'INTERNAL'): CallEnvelope<never> {
  return { ok: false, error: { code, message } };
}

function isEnvelope(value: unknown): value is CallEnvelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { ok?: unknown; result?: unknown; error?: unknown };
  if (candidate.ok === true) return 'result' in candidate;
  if (candidate.ok !== false) return false;
  const error = candidate.error as { code?: unknown; message?: unknown } | null | undefined;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The contract over `histo serve`: each call is `POST /api/call/<method>` whose body, whatever the
 * HTTP status, is the envelope; events arrive on one WebSocket at /api/events that reconnects
 * with backoff while anyone listens.
 */
export function createHttpBridge(options: HttpBridgeOptions): HistoBridge {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const openSocket = options.openSocket ?? ((url: string) => new WebSocket(url) as unknown as EventSocket);
  const backoff = options.reconnect ?? DEFAULT_RECONNECT;

  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<CallEnvelope<MethodOutput<M>>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (options.token) headers[TOKEN_HEADER] = options.token;
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/api/call/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (err) {
      return transportFailure(`${method}: cannot reach the Histo server at ${baseUrl}: ${errorText(err)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      return transportFailure(`${method}: the connection to ${baseUrl} broke while reading the answer: ${errorText(err)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isEnvelope(body)) return body as CallEnvelope<MethodOutput<M>>;
    const excerpt = text.slice(0, 200).trim();
    return transportFailure(
      `${method}: the server answered HTTP ${response.status} without a call envelope${excerpt ? `: ${excerpt}` : ''}`,
    );
  }

  /** Chunks small enough for the server's request timeout; each continues where the last stopped. */
  async function uploadFile(file: object, onProgress?: (sent: number, total: number) => void): Promise<CallEnvelope<{ path: string }>> {
    const blob = file as File;
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (options.token) headers[TOKEN_HEADER] = options.token;
    let upload = '';
    let offset = 0;
    do {
      const chunk = blob.slice(offset, Math.min(blob.size, offset + UPLOAD_CHUNK_BYTES));
      const last = offset + chunk.size >= blob.size;
      const query = new URLSearchParams({ name: blob.name, offset: String(offset), ...(upload ? { upload } : {}), ...(last ? { last: '1' } : {}) });
      let body: unknown;
      try {
        const response = await fetchImpl(`${baseUrl}/api/upload?${query}`, { method: 'POST', headers, body: chunk, credentials: 'same-origin', cache: 'no-store' });
        body = await response.json();
      } catch (err) {
        return transportFailure(`upload of ${blob.name}: cannot reach the Histo server at ${baseUrl}: ${errorText(err)}`);
      }
      if (!isEnvelope(body)) return transportFailure(`upload of ${blob.name}: the server answered without a call envelope`);
      if (!body.ok) return body as CallEnvelope<never>;
      const answer = body.result as { upload: string; received: number; path: string | null };
      upload = answer.upload;
      offset = answer.received;
      onProgress?.(offset, blob.size);
      if (answer.path !== null) return { ok: true, result: { path: answer.path } };
    } while (offset < blob.size);
    return transportFailure(`upload of ${blob.name}: the server never finished the file`);
  }

  // ---- events -------------------------------------------------------------------------------
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let socket: EventSocket | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  function listenerCount(): number {
    let count = 0;
    for (const set of listeners.values()) count += set.size;
    return count;
  }

  function eventsUrl(): string {
    const url = new URL(`${baseUrl}/api/events`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (options.token) url.searchParams.set('token', options.token);
    return url.toString();
  }

  function deliver(raw: unknown): void {
    let message: { event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as typeof message;
    } catch {
      return; // not ours: a malformed frame must not take the UI down
    }
    const name = message.event;
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(events, name)) return;
    const eventName = name as EventName;
    const parsed = events[eventName].safeParse(message.payload);
    if (!parsed.success) return;
    for (const listener of [...(listeners.get(eventName) ?? [])]) {
      (listener as (payload: EventPayload<typeof eventName>) => void)(parsed.data);
    }
  }

  function scheduleReconnect(): void {
    if (reconnectTimer !== null || listenerCount() === 0) return;
    const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** failures);
    failures += 1;
    // Jitter keeps several windows from hammering a restarting server in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.2));
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect(): void {
    if (socket !== null || listenerCount() === 0) return;
    let opened: EventSocket;
    try {
      opened = openSocket(eventsUrl());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = opened;
    opened.onopen = () => {
      failures = 0;
    };
    opened.onmessage = (event) => deliver(event.data);
    opened.onerror = () => {
      /* onclose follows and decides about reconnecting */
    };
    opened.onclose = () => {
      if (socket !== opened) return;
      socket = null;
      scheduleReconnect();
    };
  }

  function disconnect(): void {
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const current = socket;
    socket = null;
    failures = 0;
    current?.close();
  }

  function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const stored = listener as (payload: never) => void;
    set.add(stored);
    connect();
    return () => {
      set.delete(stored);
      if (listenerCount() === 0) disconnect();
    };
  }

  return { call, on, uploadFile };
}
