// The `histo:` protocol of the Electron shell: `histo://slides/<id>/tiles/<level>/<col>_<row>.jpg`,
// `histo://heads/<headId>/slides/<id>/heatmap.png` and friends, answered by the same core function as the HTTP server's slide route. Kept free of
// `electron` imports (it maps a fetch Request to a Response) so plain-Node tests can drive it.
import type { ErrorCode } from '../../src-shared/contract';
import { serializeError } from '../core/errors';
import type { CoreSurface } from '../core/host/host-protocol';

export const SLIDE_PROTOCOL = 'histo';

/** Privileges of the scheme: standard URLs, fetchable, CORS-capable (the viewer draws tiles on a canvas). */
export const slideProtocolPrivileges = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } as const;

const statusOf: Partial<Record<ErrorCode, number>> = { VALIDATION: 400, BAD_INPUT: 422, NOT_FOUND: 404, NO_PROJECT: 409 };

/** `render` is the core's image entry (the core host's, in the app): URL path and query in, image out. */
export function createSlideProtocolHandler(render: CoreSurface['renderSlideImage']): (request: Request) => Promise<Response> {
  return async (request) => {
    const corsHeaders = { 'Access-Control-Allow-Origin': '*', 'X-Content-Type-Options': 'nosniff' };
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad URL', { status: 400, headers: corsHeaders });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405, headers: corsHeaders });
    if (url.protocol !== `${SLIDE_PROTOCOL}:` || (url.host !== 'slides' && url.host !== 'heads')) return new Response('not found', { status: 404, headers: corsHeaders });
    try {
      const image = await render(`${url.host}${url.pathname}`, url.searchParams);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(image.body), {
        status: 200,
        headers: { ...corsHeaders, 'Content-Type': image.contentType, 'Cache-Control': image.volatile ? 'no-cache' : 'private, max-age=3600' },
      });
    } catch (err) {
      const error = serializeError(err);
      return new Response(JSON.stringify({ ok: false, error }), {
        status: statusOf[error.code] ?? 500,
        headers: { ...corsHeaders, 'Content-Type': 'application/json' },
      });
    }
  };
}
