import type { WebSocket } from 'ws';
import { messageRateLimiter } from './request-guards';

/**
 * The event socket only sends: a client that floods it is closed (1008, policy violation) rather
 * than allowed to keep the server busy. Oversized messages are closed by ws itself (maxPayload, 1009).
 */
export function attachEventSocketLimits(ws: WebSocket): void {
  const overLimit = messageRateLimiter();
  ws.on('message', () => {
    if (overLimit()) ws.close(1008, 'too many messages');
  });
  // A protocol error (oversized frame) must not become an unhandled 'error' event.
  ws.on('error', () => ws.terminate());
}
