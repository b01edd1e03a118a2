import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpBridge, type EventSocket } from '../../src-renderer/src/api/http-bridge';
import { HistoCallError, call, installBridge } from '../../src-renderer/src/api/histo-api';
import { jobEvent } from './in-memory-bridge';

interface SentRequest {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a function, recording what the client sent. */
function answering(answer: (request: SentRequest) => Response | Promise<Response>) {
  const sent: SentRequest[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    const request = { url: String(url), init: init ?? {} };
    sent.push(request);
    return answer(request);
  }) as typeof fetch;
  return { fetchImpl, sent };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('http bridge calls', () => {
  it('posts the input to /api/call/<method> with the token and returns the envelope', async () => {
    const { fetchImpl, sent } = answering(() => json({ ok: true, result: null }));
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:5000/', token: 'secret', fetch: fetchImpl });
    const envelope = await bridge.call('project.close', {});
    expect(envelope).toEqual({ ok: true, result: null });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('http://127.0.0.1:5000/api/call/project.close');
    expect(sent[0]!.init.method).toBe('POST');
    expect((sent[0]!.init.headers as Record<string, string>)['X-Histo-Token']).toBe('secret');
    // The server refuses API calls without it (415): it is what forces a CORS preflight cross-origin.
    expect((sent[0]!.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(sent[0]!.init.body))).toEqual({});
  });

  it('sends no token header when only the cookie authenticates', async () => {
    const { fetchImpl, sent } = answering(() => json({ ok: true, result: [] }));
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:5000', token: null, fetch: fetchImpl });
    await bridge.call('job.list', {});
    expect(sent[0]!.init.headers).not.toHaveProperty('X-Histo-Token');
    expect(sent[0]!.init.credentials).toBe('same-origin');
  });

  it('returns an error envelope from a 4xx answer unchanged', async () => {
    const error = { code: 'PROJECT_REFUSED', message: '/x.histo is not a Histo project' };
    const { fetchImpl } = answering(() => json({ ok: false, error }, 409));
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:5000', token: 't', fetch: fetchImpl });
    expect(await bridge.call('project.open', { path: '/x.histo' })).toEqual({ ok: false, error });
  });

  it('turns an answer without an envelope into an INTERNAL error that names the status', async () => {
    const { fetchImpl } = answering(() => new Response('<html>Bad Gateway</html>', { status: 502 }));
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:5000', token: 't', fetch: fetchImpl });
    const envelope = await bridge.call('app.info', {});
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('INTERNAL');
    expect(envelope.error.message).toContain('HTTP 502');
    expect(envelope.error.message).toContain('Bad Gateway');
  });

  it('does not take a malformed envelope for a real one', async () => {
    const { fetchImpl } = answering(() => json({ ok: false, error: 'nope' }, 500));
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:5000', token: 't', fetch: fetchImpl });
    const envelope = await bridge.call('app.info', {});
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) expect(envelope.error.message).toContain('without a call envelope');
  });

  it('reports an unreachable server as an error envelope, not a rejection', async () => {
    const { fetchImpl } = answering(() => Promise.reject(new TypeError('fetch failed')));
    const bridge = createHttpBridge({ baseUrl: 'http://127.0.0.1:5000', token: 't', fetch: fetchImpl });
    const envelope = await bridge.call('app.info', {});
    expect(envelope).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'app.info: cannot reach the Histo server at http://127.0.0.1:5000: fetch failed' },
    });
  });

  it('lets histo-api throw HistoCallError with the code of the envelope', async () => {
    const { fetchImpl } = answering(() => json({ ok: false, error: { code: 'NO_PROJECT', message: 'open a project first' } }, 409));
    installBridge(createHttpBridge({ baseUrl: 'http://127.0.0.1:5000', token: 't', fetch: fetchImpl }));
    const failure = await call('project.close', {}).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(HistoCallError);
    expect(failure).toMatchObject({ code: 'NO_PROJECT', message: 'open a project first', method: 'project.close' });
  });
});

/** A socket the test drives by hand. */
class ScriptedSocket implements EventSocket {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({});
  }
  receive(data: unknown): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  drop(): void {
    this.onclose?.({});
  }
}

describe('http bridge events', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function eventBridge() {
    const sockets: ScriptedSocket[] = [];
    const bridge = createHttpBridge({
      baseUrl: 'http://127.0.0.1:5000',
      token: 'tok',
      fetch: (() => Promise.reject(new Error('unused'))) as typeof fetch,
      openSocket: (url) => {
        const socket = new ScriptedSocket(url);
        sockets.push(socket);
        return socket;
      },
      reconnect: { initialMs: 100, maxMs: 1000 },
    });
    return { bridge, sockets };
  }

  it('opens one socket on the first listener and delivers valid events only', () => {
    const { bridge, sockets } = eventBridge();
    const received: unknown[] = [];
    const stop = bridge.on('job.progress', (payload) => received.push(payload));
    bridge.on('job.progress', () => {});
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toBe('ws://127.0.0.1:5000/api/events?token=tok');

    sockets[0]!.open();
    sockets[0]!.receive({ event: 'job.progress', payload: jobEvent('a', { done: 3 }) });
    sockets[0]!.receive('not json');
    sockets[0]!.receive({ event: 'job.unknown', payload: {} });
    sockets[0]!.receive({ event: 'job.progress', payload: { jobId: 'b' } }); // breaks the schema
    expect(received).toEqual([jobEvent('a', { done: 3 })]);
    stop();
  });

  it('reconnects with growing delays and stops when the last listener leaves', () => {
    vi.useFakeTimers();
    const { bridge, sockets } = eventBridge();
    const stop = bridge.on('job.progress', () => {});
    sockets[0]!.drop();
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100); // first retry after at most initialMs
    expect(sockets).toHaveLength(2);

    sockets[1]!.drop();
    vi.advanceTimersByTime(150);
    expect(sockets).toHaveLength(2); // second retry waits longer (160..200 ms)
    vi.advanceTimersByTime(50);
    expect(sockets).toHaveLength(3);

    sockets[2]!.open(); // a successful open resets the backoff
    sockets[2]!.drop();
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(4);

    stop();
    expect(sockets[3]!.closed).toBe(true);
    sockets[3]!.drop();
    vi.advanceTimersByTime(5000);
    expect(sockets).toHaveLength(4);
  });
});
