import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../src-shared/contract';
import { serializeError } from '../core/errors';
import type { CoreSurface } from '../core/host/host-protocol';
import { securityHeaders } from './security-headers';

const statusOf: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  BAD_INPUT: 422,
  NOT_FOUND: 404,
  NO_PROJECT: 409,
};

/** The query string of the request a response answers (the server hands us only its path). */
function queryOf(res: ServerResponse): URLSearchParams {
  return new URL(res.req?.url ?? '/', 'http://127.0.0.1').searchParams;
}

/**
 * GET /slides/<id>/tiles/<level>/<col>_<row>.jpg, /slides/<id>/thumbnail.jpg,
 * /slides/<id>/tissue.png, /slides/<id>/region.jpg?x=&y=&w=&h=&size= and
 * /heads/<headId>/slides/<id>/heatmap.png[?class=]: the images the viewer shows, rendered by the
 * core (the same function the Electron `histo:` protocol calls). The caller has already checked the token.
 */
export async function sendSlideImage(core: CoreSurface, pathname: string, method: string, res: ServerResponse): Promise<void> {
  try {
    const image = await core.renderSlideImage(pathname, queryOf(res));
    res.writeHead(200, {
      ...securityHeaders,
      'Content-Type': image.contentType,
      'Content-Length': String(image.body.byteLength),
      // URLs carry the slide's fingerprint (?v=), so a cached image is never another slide's; a
      // heatmap changes when the head predicts again, so it is always revalidated.
      'Cache-Control': image.volatile ? 'no-cache' : 'private, max-age=3600',
    });
    res.end(method === 'HEAD' ? undefined : image.body);
  } catch (err) {
    const error = serializeError(err);
    res.writeHead(statusOf[error.code] ?? 500, { ...securityHeaders, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ ok: false, error }));
  }
}
