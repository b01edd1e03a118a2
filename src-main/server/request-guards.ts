import type { IncomingMessage } from 'node:http';

/**
 * The rules every request to `histo serve` passes before any route sees it, whatever the route:
 * one origin, JSON only for API calls, bounded bodies, sockets and connections. Every port of
 * 127.0.0.1 is the same *site* to a browser, so the SameSite cookie alone does not keep a page
 * served by another local program out; the Origin check does.
 */
export const requestLimits = {
  /** Largest API request body; larger ones get 413 and are discarded, never buffered. */
  maxBodyBytes: 1024 * 1024,
  /** Open TCP connections (HTTP and WebSocket together); more are closed on accept. */
  maxConnections: 128,
  /** Open event sockets; more get 503 at the upgrade. */
  maxEventSockets: 32,
  /** Largest WebSocket message a client may send (the server expects none; pings are tiny). */
  maxSocketMessageBytes: 64 * 1024,
  /** Messages a client may send per second before its socket is closed. */
  maxSocketMessagesPerSecond: 50,
  /** A client that trickles its headers or body (slowloris) is cut off after these. */
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** The origin the request was addressed to; its Host was checked to be our loopback address before. */
function ownOrigin(req: IncomingMessage): string {
  return `http://${req.headers.host ?? ''}`;
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Why a request from another origin must be refused, or null when it comes from our own pages or
 * from a non-browser client (which sends neither header). `Origin: null` (sandboxed frames,
 * file:// pages) is foreign too.
 */
export function foreignOriginReason(req: IncomingMessage): string | null {
  const own = ownOrigin(req);
  const origin = req.headers.origin;
  if (origin !== undefined) return origin === own ? null : `requests from ${origin} are refused: only ${own} may call this server`;
  const referer = req.headers.referer;
  if (referer !== undefined && originOf(referer) !== own) return `requests referred by another origin are refused: only ${own} may call this server`;
  return null;
}

/**
 * API calls must say they carry JSON: a browser can send text/plain, form-encoded or multipart
 * across origins without asking, but application/json forces a CORS preflight we never answer.
 */
export function isJsonContentType(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** The body's declared size exceeds the limit: refuse before reading a byte of it. */
export function declaresOversizedBody(req: IncomingMessage): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > requestLimits.maxBodyBytes;
}

/** Counts messages per one-second window; true once a client has sent more than the limit. */
export function messageRateLimiter(perSecond = requestLimits.maxSocketMessagesPerSecond, now: () => number = Date.now): () => boolean {
  let windowStart = now();
  let count = 0;
  return () => {
    const time = now();
    if (time - windowStart >= 1000) {
      windowStart = time;
      count = 0;
    }
    count += 1;
    return count > perSecond;
  };
}
