import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallEnvelope, ErrorCode, JobEvent } from '../../src-shared/contract';
import type { CoreSurface } from '../core/host/host-protocol';
import { rendererDir as defaultRendererDir } from '../core/app-root';
import { hasLoopbackHost, hasValidToken, newToken, TOKEN_COOKIE } from './request-auth';
import { securityHeaders } from './security-headers';
import { serveStatic } from './static-files';
import { sendSlideImage } from './slide-image-route';
import { isSlideImagePath } from '../core/slides-library/slide-images';
import { declaresOversizedBody, foreignOriginReason, isJsonContentType, requestLimits } from './request-guards';
import { attachEventSocketLimits } from './event-socket-limits';
import { receiveUploadChunk, UPLOAD_PATH } from './upload-route';
import { HistoError, serializeError } from '../core/errors';

/** The only address we ever listen on: the workstation itself. */
export const LOOPBACK_HOST = '127.0.0.1';

export interface ServerOptions {
  /** The core behind the contract: the core host (`histo serve`), or `inProcessCore` in a test. */
  core: CoreSurface;
  port?: number;
  rendererDir?: string;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const statusOf: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  BAD_INPUT: 400,
  UNAUTHORIZED: 401,
  UNKNOWN_METHOD: 404,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  NO_PROJECT: 409,
  PROJECT_REFUSED: 409,
  CANCELLED: 409,
  DISK_FULL: 507,
  INTERNAL: 500,
};

function sendEnvelope(res: ServerResponse, envelope: CallEnvelope<unknown>, status?: number): void {
  res.writeHead(status ?? (envelope.ok ? 200 : (statusOf[envelope.error.code] ?? 500)), {
    ...securityHeaders,
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(envelope));
}

function fail(res: ServerResponse, code: ErrorCode, message: string, status?: number): void {
  sendEnvelope(res, { ok: false, error: { code, message } }, status);
}

/**
 * Answers 413 without buffering the body. The rest of an upload is discarded as it arrives: Node
 * drains it after the answer, and the request timeout bounds a client that never stops sending.
 * Closing the connection instead would reset it while the client is still sending, and a reset can
 * reach the client before it has read the 413.
 */
function refuseOversizedBody(res: ServerResponse): void {
  fail(res, 'VALIDATION', `request body larger than ${requestLimits.maxBodyBytes} bytes`, 413);
}

class OversizedBody extends Error {}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > requestLimits.maxBodyBytes) {
        req.pause();
        reject(new OversizedBody());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error('request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** The open project's file, asked of the core (which may run on another thread); null when none is open. */
async function openProjectPath(core: CoreSurface): Promise<string | null> {
  const envelope = await core.dispatch('project.current', {});
  if (!envelope.ok) throw new HistoError(envelope.error.code, envelope.error.message);
  return (envelope.result as { path: string } | null)?.path ?? null;
}

/**
 * Serves the renderer and the contract over HTTP + WebSocket on 127.0.0.1, guarded by a per-run
 * token, so the real UI runs in a browser against the real core (tests, a remote GPU workstation).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { core } = options;
  const token = options.token ?? newToken();
  const staticRoot = options.rendererDir ?? defaultRendererDir();
  let port = 0;

  const server = http.createServer((req, res) => {
    void handleRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) fail(res, 'INTERNAL', err instanceof Error ? err.message : String(err));
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
    if (!hasLoopbackHost(req, port)) return fail(res, 'UNAUTHORIZED', 'requests must be addressed to 127.0.0.1');
    // Before the token: a foreign page must learn nothing, not even whether its cookie was right.
    const foreign = foreignOriginReason(req);
    if (foreign) return fail(res, 'UNAUTHORIZED', foreign, 403);
    if (!hasValidToken(req, url, token)) return fail(res, 'UNAUTHORIZED', 'missing or wrong token: open the URL that `histo serve` printed');

    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return fail(res, 'VALIDATION', 'API calls use POST');
      if (!isJsonContentType(req)) return fail(res, 'VALIDATION', 'API calls must send Content-Type: application/json', 415);
      if (declaresOversizedBody(req)) return refuseOversizedBody(res);
      let body: unknown;
      try {
        body = await readJsonBody(req);
      } catch (err) {
        if (err instanceof OversizedBody) return refuseOversizedBody(res);
        return fail(res, 'VALIDATION', (err as Error).message);
      }
      const method = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      return sendEnvelope(res, await core.dispatch(method, body));
    }
    if (url.pathname === UPLOAD_PATH) {
      if (req.method !== 'POST') return fail(res, 'VALIDATION', 'uploads use POST');
      // Not a type a foreign page may send without a preflight, like JSON for the calls.
      if (req.headers['content-type'] !== 'application/octet-stream') return fail(res, 'VALIDATION', 'uploads must send Content-Type: application/octet-stream', 415);
      const projectPath = await openProjectPath(core);
      if (!projectPath) return fail(res, 'NO_PROJECT', 'no project is open: dropped files are kept beside the project, so open one first');
      try {
        return sendEnvelope(res, { ok: true, result: await receiveUploadChunk(req, url, projectPath) });
      } catch (err) {
        return sendEnvelope(res, { ok: false, error: serializeError(err) });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 'VALIDATION', `${req.method} not allowed`);
    if (isSlideImagePath(url.pathname)) return sendSlideImage(core, url.pathname, req.method, res);
    // The page was opened with ?token=: remember it in a cookie the page's own requests will carry.
    const cookie =
      url.searchParams.get('token') === token
        ? { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` }
        : undefined;
    serveStatic(staticRoot, url.pathname, res, cookie);
  }

  server.maxConnections = requestLimits.maxConnections;
  server.headersTimeout = requestLimits.headersTimeoutMs;
  server.requestTimeout = requestLimits.requestTimeoutMs;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: requestLimits.maxSocketMessageBytes });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
    if (url.pathname !== '/api/events' || !hasLoopbackHost(req, port) || !hasValidToken(req, url, token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    // Browsers do not apply CORS to WebSockets: without this, any local page could listen in.
    if (foreignOriginReason(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    if (sockets.clients.size >= requestLimits.maxEventSockets) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      attachEventSocketLimits(ws);
      sockets.emit('connection', ws, req);
    });
  });
  const broadcast = (payload: JobEvent) => {
    const message = JSON.stringify({ event: 'job.progress', payload });
    for (const client of sockets.clients as Set<WebSocket>) if (client.readyState === client.OPEN) client.send(message);
  };
  const stopBroadcast = core.onJobEvent(broadcast);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${LOOPBACK_HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      stopBroadcast();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
