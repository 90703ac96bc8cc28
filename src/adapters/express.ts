import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import type { SchemeName } from '../core/config.js';
import { NotFound } from '../core/errors.js';
import { isAuthenticated, type Permission } from '../core/permissions.js';
import { type AuthRequest, createAuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import { errorAnswer } from '../edge/errors.js';
import { credentialHeaders, mergeVary } from '../edge/headers.js';
import type { UserRecord } from '../stores/types.js';
import { createGuard } from './guard.js';
import { ContractMount } from './mount.js';
import { readBody } from './read-body.js';

export * from '../edge/permissions.js';

declare global {
  // Express's own extension point: its Request interface extends Express.Request.
  namespace Express {
    interface Request {
      /** The authenticated user, or null; set by `requireAuth()`/`authenticate()`. */
      user: UserRecord | null;
      /** The full result (scheme and credential), or null. */
      auth: AuthResult | null;
    }
  }
}

export interface GatehouseMiddlewareOptions {
  /** Mount the contract's routes (default true). */
  routes?: boolean;
  /** Where the contract's routes are mounted, e.g. `/auth` (default '': `/api/me/` as is). */
  prefix?: string;
}

/** Where the middleware leaves the instance for the guards; a symbol keeps it off the typed surface. */
const GATEHOUSE = Symbol.for('gatehouse.instance');
type Carrier = { [GATEHOUSE]?: Gatehouse };

/** The framework-neutral request for an Express request (after the app's `trust proxy`). */
export function toAuthRequest(req: Request): AuthRequest {
  return createAuthRequest({
    method: req.method,
    url: req.originalUrl,
    // node's own header object: lower-cased, repeated values already joined.
    headers: req.headers as Record<string, string | undefined>,
    normalised: true,
    ip: req.ip ?? req.socket.remoteAddress,
    secure: req.secure,
  });
}

/** Copies a gatehouse response onto an Express response; a Vary already set is kept. */
export function sendResponse(res: Response, out: HttpResponse): void {
  res.status(out.status);
  for (const name in out.headers) {
    const value = out.headers[name]!;
    res.setHeader(name, name === 'vary' ? mergeVary(res.getHeader('vary'), String(value)) : value);
  }
  if (out.body === undefined) {
    res.end();
  } else if (typeof out.body === 'string') {
    res.end(out.body);
  } else {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(out.body));
  }
}

/**
 * The Express middleware: makes the gatehouse available to `requireAuth()`/`authenticate()`,
 * sets `req.user`/`req.auth` to null, and answers the contract's routes under `prefix` (with and
 * without the trailing slash; 405 with Allow for a known path). It reads contract bodies itself,
 * within `server.bodyLimit`, so put it before `express.json()`; other paths go to `next()`.
 *
 * @example
 * app.use(gatehouse(gh, { prefix: '/auth' }));
 * app.get('/notes', requireAuth(), (req, res) => res.json({ owner: req.user!.username }));
 */
export function gatehouse(gh: Gatehouse, opts: GatehouseMiddlewareOptions = {}): RequestHandler {
  const mount = opts.routes === false ? null : new ContractMount(gh, opts.prefix);
  const limit = gh.ctx.config.server.bodyLimit;
  return function gatehouseMiddleware(req, res, next) {
    (req as Carrier)[GATEHOUSE] = gh;
    req.user = null;
    req.auth = null;
    // req.path is relative to where the middleware is mounted (app.use('/x', …) works too).
    const m = mount?.match(req.method, req.path);
    if (!m || m.kind === 'not_found') return next();
    const authReq = toAuthRequest(req);
    if (m.kind === 'method_not_allowed')
      return sendResponse(res, mount!.methodNotAllowed(authReq, m.allowed));
    contractBody(req, limit)
      .then(
        (rawBody) => gh.handle(m.bound, { req: authReq, params: m.params, rawBody }),
        (err: unknown) => errorAnswer(gh, err, authReq),
      )
      .then((out) => sendResponse(res, out), next);
  };
}

/** The raw body, or (when the app's body parser ran first) the parsed one written back. */
async function contractBody(req: Request, limit: number): Promise<string | undefined> {
  const parsed = req.readableEnded || (req as { _body?: unknown })._body === true;
  if (!parsed) return readBody(req, req.headers['content-length'], limit);
  const body: unknown = req.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams(body as Record<string, string>).toString();
  }
  return JSON.stringify(body);
}

function gatehouseOf(req: Request): Gatehouse {
  const gh = (req as Carrier)[GATEHOUSE];
  if (!gh) throw new Error('gatehouse: app.use(gatehouse(gh)) must run before requireAuth()/authenticate()');
  return gh;
}

/**
 * Authenticates with the configured schemes (or `schemes`, like DRF's per-view
 * authentication_classes) and sets `req.user`/`req.auth`; anonymous callers pass with null.
 *
 * @example
 * app.get('/feed', authenticate(['jwt']), (req, res) => res.json({ me: req.user?.username ?? null }));
 */
export function authenticate(schemes?: readonly SchemeName[]): RequestHandler {
  return guard(null, schemes);
}

/**
 * Requires an authenticated caller who has `permission` (default: isAuthenticated); otherwise
 * answers 401 with the first scheme's challenge, or 403, with DRF's bodies.
 *
 * @example
 * app.delete('/notes/:id', requireAuth(isAdmin, ['token']), handler);
 */
export function requireAuth(
  permission: Permission = isAuthenticated,
  schemes?: readonly SchemeName[],
): RequestHandler {
  return guard(permission, schemes);
}

function guard(permission: Permission | null, schemes?: readonly SchemeName[]): RequestHandler {
  const check = createGuard(permission, schemes);
  return function gatehouseGuard(req, res, next) {
    check(gatehouseOf(req), toAuthRequest(req)).then((outcome) => {
      if (!outcome.ok) return sendResponse(res, outcome.response);
      req.auth = outcome.auth;
      req.user = outcome.auth?.user ?? null;
      res.set(credentialHeaders(res.getHeader('vary')));
      if (outcome.auth) finishBeforeEnd(res, outcome.auth, gatehouseOf(req));
      next();
    }, next);
  };
}

/**
 * Lets the scheme that answered commit what the handler changed (a session's bag) before the
 * response ends (as express-session does), so the client's next request reads what this one
 * wrote. A failed write is logged: the response is already on its way.
 */
function finishBeforeEnd(res: Response, auth: AuthResult, gh: Gatehouse): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    gh.services.pipeline
      .finish(auth)
      .catch((err: unknown) => gh.ctx.logger.error({ err }, 'session data could not be saved'))
      .finally(() => end(...args));
    return res;
  }) as Response['end'];
}

/**
 * DRF's 404 for whatever the app does not route: put it after every route.
 *
 * @example
 * app.use(notFound());
 */
export function notFound(): RequestHandler {
  return (req, res) => sendResponse(res, gatehouseOf(req).errorResponse(new NotFound(), toAuthRequest(req)));
}

/**
 * Answers every error a handler throws or passes to `next` in DRF's shape: gatehouse errors keep
 * their status and a body parser's 4xx becomes the gatehouse error it stands for (400
 * `parse_error`, 413, 415); anything else is logged with its stack and answers a 500 that reveals
 * nothing, as the Fastify and Hono adapters do. Register your own error handlers before it.
 *
 * @example
 * app.use(errorHandler());
 */
export function errorHandler(): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const gh = (req as Carrier)[GATEHOUSE];
    if (!gh || res.headersSent) return next(err);
    sendResponse(res, errorAnswer(gh, err, toAuthRequest(req)));
  };
}
