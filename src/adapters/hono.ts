import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { SERVER_ERROR_BODY } from '../contract/error-response.js';
import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import type { SchemeName } from '../core/config.js';
import { NotFound, ServiceUnavailable } from '../core/errors.js';
import { isAuthenticated, type Permission } from '../core/permissions.js';
import { type AuthRequest, createAuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import { errorAnswer } from '../edge/errors.js';
import { CREDENTIAL_HEADERS, mergeVary } from '../edge/headers.js';
import type { UserRecord } from '../stores/types.js';
import { createGuard } from './guard.js';
import { ContractMount } from './mount.js';
import { readBody } from './read-body.js';

export * from '../edge/permissions.js';

/** What the middleware and guards put in the context: `c.get('user')`, `c.get('auth')`. */
export interface GatehouseVariables {
  gatehouse: Gatehouse;
  /** How the middleware reads the client's address (its `clientIp` option), for the guards. */
  gatehouseClientIp: (c: Context) => string;
  /** The authenticated user, or null (anonymous, or no guard ran). */
  user: UserRecord | null;
  auth: AuthResult | null;
}

/** The Hono env of an app using gatehouse: `new Hono<GatehouseEnv>()`. */
export type GatehouseEnv = { Variables: GatehouseVariables };

/** The env after `requireAuth()`: the user is there, so `c.get('user').username` type-checks. */
export type AuthenticatedEnv = {
  Variables: Omit<GatehouseVariables, 'user' | 'auth'> & { user: UserRecord; auth: AuthResult };
};

export interface GatehouseMiddlewareOptions {
  /** Mount the contract's routes (default true). */
  routes?: boolean;
  /** Where the contract's routes are mounted, e.g. `/auth` (default '': `/api/me/` as is). */
  prefix?: string;
  /**
   * The client's address. Default: the socket's address under `@hono/node-server`. Elsewhere
   * (Bun, Deno, Workers), or behind a proxy, read what your runtime or proxy gives (and a header
   * only from the proxy). When no address can be known (''), gatehouse refuses the requests it
   * handles with 503 `client_address_unknown` rather than throttle every client as one.
   */
  clientIp?: (c: Context) => string;
}

/** The detail of the refusal when the client's address cannot be known. */
const NO_CLIENT_ADDRESS =
  "The server cannot tell the client's address, which sign-in throttling needs (see the clientIp option).";

/**
 * The reader the middleware and its guards use: `read`, and the first time it yields no address,
 * one log line that names the fix. Without an address every client would share one throttle
 * bucket, so five wrong guesses from anyone would back off the real user.
 */
function knownIpReader(gh: Gatehouse, read: (c: Context) => string): (c: Context) => string {
  let told = false;
  return (c) => {
    const ip = read(c);
    if (typeof ip === 'string' && ip !== '') return ip;
    if (!told) {
      told = true;
      gh.ctx.logger.error(
        { code: 'client_address_unknown' },
        'gatehouse (Hono): no client address; requests gatehouse handles are refused with 503 until ' +
          'gatehouse(gh, { clientIp }) reads it (docs/adapters/hono.md, "Client address and HTTPS")',
      );
    }
    return '';
  };
}

/** 503 `client_address_unknown`: refused, never let through with a shared throttle bucket. */
function refuseUnknownAddress(gh: Gatehouse, req: AuthRequest): Response {
  const err = new ServiceUnavailable(NO_CLIENT_ADDRESS, 'client_address_unknown');
  return toResponse(errorAnswer(gh, err, req));
}

function nodeSocketIp(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? '';
}

/** The framework-neutral request for a Hono context. */
export function toAuthRequest(c: Context, clientIp: (c: Context) => string = nodeSocketIp): AuthRequest {
  const headers: Record<string, string> = {};
  // Fetch headers are lower-cased and join repeated values already.
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const url = new URL(c.req.url);
  return createAuthRequest({
    method: c.req.method,
    url: url.pathname + url.search,
    headers,
    normalised: true,
    ip: clientIp(c),
    secure: url.protocol === 'https:',
  });
}

/** A fetch Response for a gatehouse response. */
export function toResponse(out: HttpResponse): Response {
  const headers = new Headers();
  for (const name in out.headers) {
    const value = out.headers[name]!;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value as string);
  }
  let body: string | null = null;
  if (typeof out.body === 'string') body = out.body;
  else if (out.body !== undefined) {
    body = JSON.stringify(out.body);
    headers.set('content-type', 'application/json; charset=utf-8');
  }
  return new Response(body, { status: out.status, headers });
}

/**
 * The Hono middleware: puts the gatehouse in the context for the guards, sets `user`/`auth` to
 * null, and answers the contract's routes under `prefix` (with and without the trailing slash;
 * 405 with Allow for a known path). Contract bodies are read within `server.bodyLimit`.
 *
 * @example
 * const app = new Hono<GatehouseEnv>();
 * app.use(gatehouse(gh, { prefix: '/auth' }));
 * app.post('/notes', requireAuth(), (c) => c.json({ owner: c.get('user').username }, 201));
 */
export function gatehouse(
  gh: Gatehouse,
  opts: GatehouseMiddlewareOptions = {},
): MiddlewareHandler<GatehouseEnv> {
  const mount = opts.routes === false ? null : new ContractMount(gh, opts.prefix);
  const limit = gh.ctx.config.server.bodyLimit;
  const clientIp = knownIpReader(gh, opts.clientIp ?? nodeSocketIp);
  return async function gatehouseMiddleware(c, next) {
    c.set('gatehouse', gh);
    c.set('gatehouseClientIp', clientIp);
    c.set('user', null);
    c.set('auth', null);
    const m = mount?.match(c.req.method, c.req.path);
    if (!m || m.kind === 'not_found') return next();
    const req = toAuthRequest(c, clientIp);
    if (req.ip === '') return refuseUnknownAddress(gh, req);
    if (m.kind === 'method_not_allowed') return toResponse(mount!.methodNotAllowed(req, m.allowed));
    let rawBody: string | undefined;
    try {
      rawBody = await contractBody(c, limit);
    } catch (err) {
      return toResponse(errorAnswer(gh, err, req));
    }
    return toResponse(await gh.handle(m.bound, { req, params: m.params, rawBody }));
  };
}

async function contractBody(c: Context, limit: number): Promise<string | undefined> {
  const raw = c.req.raw;
  // The app read it already (a validator): Hono keeps a copy.
  if (raw.bodyUsed) return (await c.req.text()) || undefined;
  if (!raw.body) return undefined;
  return readBody(streamChunks(raw.body), raw.headers.get('content-length'), limit);
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Refused half-way (over the limit): stop the upload rather than buffer the rest.
    if (!done) await reader.cancel().catch(() => {});
  }
}

/**
 * Authenticates with the configured schemes (or `schemes`, like DRF's per-view
 * authentication_classes) and sets `user`/`auth`; anonymous callers pass with null.
 *
 * @example
 * app.get('/feed', authenticate(['jwt']), (c) => c.json({ me: c.get('user')?.username ?? null }));
 */
export function authenticate(schemes?: readonly SchemeName[]): MiddlewareHandler<GatehouseEnv> {
  return guard(null, schemes) as MiddlewareHandler<GatehouseEnv>;
}

/**
 * Requires an authenticated caller who has `permission` (default: isAuthenticated); otherwise
 * answers 401 with the first scheme's challenge, or 403, with DRF's bodies. After it the user
 * is typed as present.
 *
 * @example
 * app.delete('/notes/:id', requireAuth(isAdmin, ['token']), (c) => c.body(null, 204));
 */
export function requireAuth(
  permission: Permission = isAuthenticated,
  schemes?: readonly SchemeName[],
): MiddlewareHandler<AuthenticatedEnv> {
  return guard(permission, schemes) as MiddlewareHandler<AuthenticatedEnv>;
}

function guard(
  permission: Permission | null,
  schemes?: readonly SchemeName[],
): MiddlewareHandler<GatehouseEnv> {
  const check = createGuard(permission, schemes);
  return async function gatehouseGuard(c, next) {
    const gh = gatehouseOf(c);
    const req = toAuthRequest(c, c.get('gatehouseClientIp'));
    if (req.ip === '') return refuseUnknownAddress(gh, req);
    const outcome = await check(gh, req);
    if (!outcome.ok) return toResponse(outcome.response);
    c.set('auth', outcome.auth);
    c.set('user', outcome.auth?.user ?? null);
    await next();
    // The scheme that answered commits what the handler changed (a session's bag) before the
    // response leaves.
    await gh.services.pipeline.finish(outcome.auth);
    c.header('vary', mergeVary(c.res.headers.get('vary') ?? undefined));
    if (!c.res.headers.has('cache-control')) c.header('cache-control', CREDENTIAL_HEADERS['cache-control']);
  };
}

function gatehouseOf(c: Context<GatehouseEnv>): Gatehouse {
  const gh = c.get('gatehouse') as Gatehouse | undefined;
  if (!gh) throw new Error('gatehouse: app.use(gatehouse(gh)) must run before requireAuth()/authenticate()');
  return gh;
}

/**
 * DRF's 404 for whatever the app does not route.
 *
 * @example
 * app.notFound(notFound);
 */
export const notFound: NotFoundHandler<GatehouseEnv> = (c) => {
  const gh = c.get('gatehouse') as Gatehouse | undefined;
  if (!gh) return c.json(new NotFound().body(), 404);
  return toResponse(gh.errorResponse(new NotFound(), toAuthRequest(c, c.get('gatehouseClientIp'))));
};

/**
 * Maps errors to DRF-style responses: gatehouse errors keep their status, Hono's HTTPException
 * answers as it would, another framework's 4xx becomes the gatehouse error it stands for (as in
 * the Express and Fastify adapters), anything else is a logged 500 that reveals nothing.
 *
 * @example
 * app.onError(errorHandler);
 */
export const errorHandler: ErrorHandler<GatehouseEnv> = (err, c) => {
  const http = err as { getResponse?: () => Response };
  if (typeof http.getResponse === 'function') return http.getResponse();
  const gh = c.get('gatehouse') as Gatehouse | undefined;
  if (!gh) return c.json(SERVER_ERROR_BODY, 500);
  return toResponse(errorAnswer(gh, err, toAuthRequest(c, c.get('gatehouseClientIp'))));
};
