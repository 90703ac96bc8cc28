import type { Context } from '../core/context.js';
import type { Pipeline } from '../core/pipeline.js';
import type { AuthRequest } from '../core/request.js';
import { commitSession } from '../schemes/session/handle.js';
import { errorResponse } from './error-response.js';
import { parseBody } from './parse-body.js';
import type { HttpResponse, Route } from './types.js';

/** What an adapter hands over for one matched route. */
export interface DispatchInput {
  req: AuthRequest;
  params: Record<string, string>;
  /** The raw body as text; undefined when there is none. */
  rawBody?: string | undefined;
}

/**
 * Every response of the contract depends on who is calling: caches must not store it nor
 * share it across credentials. The rest is baseline hardening for a JSON API.
 */
const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  vary: 'Cookie, Authorization',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "frame-ancestors 'none'",
});

const HSTS = 'max-age=31536000; includeSubDomains';

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
  try {
    const body = parseBody(input.rawBody, req.headers['content-type'], {
      acceptForm: route.acceptForm === true,
      limit: ctx.config.server.bodyLimit,
    });
    if (route.acceptForm && body && typeof body === 'object' && !Array.isArray(body)) {
      req.form = body as Record<string, string>;
    }
    const auth = pipeline.schemes.length ? await pipeline.authenticate(req) : null;
    await pipeline.enforce(req, auth, route.permission);
    res = await route.handler({ req, params: input.params, body, auth });
    // The session bag is written once, after the handler, and only when it changed.
    await commitSession(auth);
  } catch (err) {
    res = errorResponse(err, bound.challenge ?? pipeline.challenge(req), ctx.logger);
  }
  return withBaseHeaders(res, req);
}

/**
 * Adds the baseline headers to a response of the contract (its own headers win), and HSTS when
 * the request came over HTTPS. For the responses made outside `dispatch` too (404, 405, 413),
 * so no answer of the contract goes out without them.
 */
export function withBaseHeaders(res: HttpResponse, req: AuthRequest): HttpResponse {
  res.headers = req.secure
    ? { ...BASE_HEADERS, 'strict-transport-security': HSTS, ...res.headers }
    : { ...BASE_HEADERS, ...res.headers };
  return res;
}
