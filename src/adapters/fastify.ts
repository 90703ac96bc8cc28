import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import type { BoundRoute } from '../contract/dispatch.js';
import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import type { SchemeName } from '../core/config.js';
import { NotFound } from '../core/errors.js';
import { isAuthenticated, type Permission } from '../core/permissions.js';
import { type AuthRequest, createAuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import { errorAnswer } from '../edge/errors.js';
import { credentialHeaders } from '../edge/headers.js';
import { methodNotAllowed } from '../edge/method-not-allowed.js';
import type { UserRecord } from '../stores/types.js';
import { createGuard } from './guard.js';
import { normalisePrefix } from './mount.js';

export * from '../edge/permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or null; set by `requireAuth()`/`authenticate()`. */
    user: UserRecord | null;
    /** The full result (scheme and credential), or null. */
    auth: AuthResult | null;
  }
  interface FastifyInstance {
    gatehouse: Gatehouse;
  }
}

export interface GatehousePluginOptions {
  gatehouse: Gatehouse;
  /** Mount the contract's routes (default true). */
  routes?: boolean;
  /** Where the contract's routes are mounted, e.g. `/auth` (default '': `/api/me/` as is). */
  prefix?: string;
}

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The framework-neutral request for a Fastify request. */
export function toAuthRequest(request: FastifyRequest): AuthRequest {
  return createAuthRequest({
    method: request.method,
    url: request.url,
    // node's own header object: lower-cased, repeated values already joined.
    headers: request.headers as Record<string, string | undefined>,
    normalised: true,
    ip: request.ip,
    secure: request.protocol === 'https',
  });
}

/** Copies a gatehouse response onto a Fastify reply. */
export function sendResponse(reply: FastifyReply, res: HttpResponse): FastifyReply {
  reply.code(res.status);
  if (res.headers) for (const name in res.headers) reply.header(name, res.headers[name]);
  if (res.body === undefined) return reply.send();
  if (typeof res.body === 'string') return reply.send(res.body);
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(res.body));
}

/**
 * An onSend hook that writes the response once the event loop has handled every request already
 * read (node's check phase), so that under load the responses of one turn leave together. Each
 * write to a peer that sleeps waiting for it (a proxy, a load balancer, a client) wakes it, and on
 * a virtual machine a wake-up across cores costs more CPU than authenticating the request: one
 * write after another keeps the peer awake. An idle server writes within the same turn. Measured
 * in docs/performance.md; the standalone server adds it unless `server.coalesceWrites` is false.
 *
 * @example
 * app.addHook('onSend', coalesceWrites);
 */
export function coalesceWrites<P>(
  _request: FastifyRequest,
  _reply: FastifyReply,
  payload: P,
  done: (err: null, payload: P) => void,
): void {
  setImmediate(done, null, payload);
}

/**
 * The Fastify plugin: decorates `fastify.gatehouse`, `request.user`/`request.auth`, and mounts
 * the HTTP contract under `prefix` in an encapsulated context (its body parsing, body limit and
 * error handler do not touch the app's).
 *
 * @example
 * await app.register(gatehousePlugin, { gatehouse: gh, prefix: '/auth' });
 * app.get('/notes', { preHandler: requireAuth() }, async (req) => ({ owner: req.user!.username }));
 */
export const gatehousePlugin: FastifyPluginAsync<GatehousePluginOptions> = async (app, opts) => {
  const gh = opts.gatehouse;
  app.decorate('gatehouse', gh);
  app.decorateRequest('user', null);
  app.decorateRequest('auth', null);
  // The scheme that answered commits what an app handler changed (a session's bag) before the
  // response leaves (the contract's routes finish their own, and leave request.auth null).
  // Callback style: it runs on every response, and an async hook costs a promise each time.
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (!request.auth) return done(null, payload);
    gh.services.pipeline.finish(request.auth).then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
  // Mails queued by the last requests (a reset link) go out before the process ends.
  app.addHook('onClose', async () => {
    await gh.services.mailer.drain(gh.ctx.config.email.drainTimeout * 1000);
  });
  if (opts.routes === false) return;
  await app.register(async (child) => mountContract(child, gh), {
    prefix: normalisePrefix(opts.prefix ?? ''),
  });
};
// Like fastify-plugin: the decorators are visible to the app that registers the plugin.
(gatehousePlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

function mountContract(app: FastifyInstance, gh: Gatehouse): void {
  // The contract parses its own bodies so every error has DRF's shape and wording.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler(errorHandler);
  const bodyLimit = gh.ctx.config.server.bodyLimit;
  const byPath = new Map<string, BoundRoute[]>();
  for (const bound of gh.routes) {
    const list = byPath.get(bound.route.path) ?? [];
    list.push(bound);
    byPath.set(bound.route.path, list);
  }
  for (const [path, list] of byPath) {
    const urls = path.endsWith('/') && path !== '/' ? [path, path.slice(0, -1)] : [path];
    const taken = new Set<string>(list.map((b) => b.route.method));
    for (const url of urls) {
      for (const bound of list) {
        app.route({
          method: bound.route.method,
          url,
          bodyLimit,
          handler: async (request, reply) => {
            const res = await gh.handle(bound, {
              req: toAuthRequest(request),
              params: request.params as Record<string, string>,
              rawBody: typeof request.body === 'string' ? request.body : undefined,
            });
            return sendResponse(reply, res);
          },
        });
      }
      // Every other method gets DRF's 405 with Allow (Fastify would 404); HEAD rides on GET.
      const others: string[] = ALL_METHODS.filter((m) => !taken.has(m));
      if (!taken.has('GET')) others.push('HEAD');
      app.route({
        method: others,
        url,
        bodyLimit,
        handler: async (request, reply) =>
          sendResponse(reply, methodNotAllowed(gh, toAuthRequest(request), [...taken])),
      });
    }
  }
}

/**
 * Authenticates the request with the configured schemes (or `schemes`, like DRF's per-view
 * authentication_classes) and sets `request.user`/`request.auth`; anonymous is allowed.
 *
 * @example
 * app.get('/feed', { preHandler: authenticate(['jwt']) }, async (req) => ({ me: req.user?.username ?? null }));
 */
export function authenticate(schemes?: readonly SchemeName[]): preHandlerAsyncHookHandler {
  return guard(null, schemes);
}

/**
 * A preHandler that requires an authenticated caller who has `permission` (default:
 * isAuthenticated), answering 401/403 with DRF's bodies and the first scheme's challenge.
 *
 * @example
 * app.delete('/notes/:id', { preHandler: requireAuth(isAdmin, ['token']) }, handler);
 */
export function requireAuth(
  permission: Permission = isAuthenticated,
  schemes?: readonly SchemeName[],
): preHandlerAsyncHookHandler {
  return guard(permission, schemes);
}

function guard(permission: Permission | null, schemes?: readonly SchemeName[]): preHandlerAsyncHookHandler {
  const check = createGuard(permission, schemes);
  return async function gatehouseGuard(this: FastifyInstance, request, reply) {
    const gh = gatehouseOf(this);
    const outcome = await check(gh, toAuthRequest(request));
    if (!outcome.ok) return sendResponse(reply, outcome.response);
    request.auth = outcome.auth;
    request.user = outcome.auth?.user ?? null;
    reply.headers(credentialHeaders(reply.getHeader('vary')));
  };
}

function gatehouseOf(app: FastifyInstance): Gatehouse {
  const gh = app.gatehouse;
  if (!gh) throw new Error('gatehouse: register gatehousePlugin before using requireAuth()/authenticate()');
  return gh;
}

/**
 * DRF's 404 for anything the app does not route: `app.setNotFoundHandler(notFound)`.
 *
 * @example
 * app.setNotFoundHandler(notFound);
 */
export async function notFound(
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  return sendResponse(reply, gatehouseOf(this).errorResponse(new NotFound(), toAuthRequest(request)));
}

/**
 * The answer to the errors Fastify's router raises before any route or error handler runs (a
 * path with a broken percent-escape, a path segment over `maxParamLength`): DRF's body, the
 * baseline headers. A constructor option, so it is passed where the app is made; the plugin must
 * be registered on that app.
 *
 * @example
 * const app = Fastify({ frameworkErrors });
 * await app.register(gatehousePlugin, { gatehouse: gh });
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  return sendResponse(reply, errorAnswer(gatehouseOf(request.server), error, toAuthRequest(request)));
}

/**
 * Maps gatehouse errors a handler throws (and Fastify's own client errors: 400 `parse_error`,
 * 413, 415) to DRF-style responses; anything else becomes a logged 500 that reveals nothing.
 * `app.setErrorHandler(errorHandler)`.
 *
 * @example
 * app.setErrorHandler(errorHandler);
 */
export async function errorHandler(
  this: FastifyInstance,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  return sendResponse(reply, errorAnswer(gatehouseOf(this), error, toAuthRequest(request)));
}
