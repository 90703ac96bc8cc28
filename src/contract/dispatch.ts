import type { Context } from '../core/context.js';
import type { Pipeline } from '../core/pipeline.js';
import type { AuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import { errorResponse } from './error-response.js';
import { withBaseHeaders } from './headers.js';
import { parseBody } from './parse-body.js';
import type { HttpResponse, Route } from './types.js';

/** What an adapter hands over for one matched route. */
export interface DispatchInput {
  req: AuthRequest;
  params: Record<string, string>;
  /** The raw body as text; undefined when there is none. */
  rawBody?: string | undefined;
}

/** A route bound to its pipeline, built once at start-up. */
export interface BoundRoute {
  route: Route;
  pipeline: Pipeline;
  /** The challenge for routes without schemes (simplejwt's views answer `Bearer realm="api"`). */
  challenge: string | null;
}

/**
 * Runs one route: parse the body, authenticate with the route's schemes, check its permission,
 * call the handler. Never throws: errors become DRF-style responses.
 */
export async function dispatch(ctx: Context, bound: BoundRoute, input: DispatchInput): Promise<HttpResponse> {
  const { route, pipeline } = bound;
  const { req } = input;
  let res: HttpResponse;
  let auth: AuthResult | null = null;
  try {
    const body = await parseBody(input.rawBody, req.headers['content-type'], {
      limit: ctx.config.server.bodyLimit,
    });
    // Django's request.POST, where the CSRF check looks for csrfmiddlewaretoken.
    if (body && typeof body === 'object' && !Array.isArray(body)) req.form = body as Record<string, string>;
    auth = pipeline.schemes.length ? await pipeline.authenticate(req) : null;
    await pipeline.enforce(req, auth, route.permission);
    res = await route.handler({ req, params: input.params, body, auth });
    // The scheme that answered commits what the handler changed (a session's bag), once.
    await pipeline.finish(auth);
  } catch (err) {
    // A credential found dead after authenticating (revoked while the handler ran) is refused by
    // the scheme that made it: its challenge, as for a credential refused on arrival.
    res = errorResponse(err, bound.challenge ?? pipeline.challenge(req, auth), ctx.logger);
  }
  return withBaseHeaders(res, req);
}
