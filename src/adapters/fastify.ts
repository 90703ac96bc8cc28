import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import type { SchemeName } from '../core/config.js';
import { MethodNotAllowed } from '../core/errors.js';
import { isAuthenticated, type Permission } from '../core/permissions.js';
import { type AuthRequest, createAuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import type { BoundRoute } from '../http/dispatch.js';
import type { Gatehouse } from '../http/gatehouse.js';
import type { HttpResponse } from '../http/types.js';
import type { UserRecord } from '../stores/types.js';

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
  /** Mount the contract's routes (default true) under this prefix (default ''). */
  routes?: boolean;
  prefix?: string;
}

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The framework-neutral request for a Fastify request. */
export function toAuthRequest(request: FastifyRequest): AuthRequest {
  return createAuthRequest({
    method: request.method,
    url: request.url,
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
 * The Fastify plugin: decorates `fastify.gatehouse`, `request.user`/`request.auth`, and mounts
 * the HTTP contract in an encapsulated context (its body parsing does not touch the app's).
 *
 * @example
 * await app.register(gatehousePlugin, { gatehouse: gh });
 * app.get('/notes', { preHandler: requireAuth() }, async (req) => ({ owner: req.user!.username }));
 */
export const gatehousePlugin: FastifyPluginAsync<GatehousePluginOptions> = async (app, opts) => {
  const gh = opts.gatehouse;
  app.decorate('gatehouse', gh);
  app.decorateRequest('user', null);
  app.decorateRequest('auth', null);
  if (opts.routes === false) return;
  await app.register(async (child) => mountContract(child, gh), { prefix: opts.prefix ?? '' });
};
// Like fastify-plugin: the decorators are visible to the app that registers the plugin.
(gatehousePlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

function mountContract(app: FastifyInstance, gh: Gatehouse): void {
  // The contract parses its own bodies so every error has DRF's shape and wording.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
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
      // DRF answers 405 with Allow for a known path and an unsupported method; Fastify would 404.
      const others: string[] = ALL_METHODS.filter((m) => !taken.has(m));
      if (!taken.has('GET')) others.push('HEAD');
      const allow = [...taken, ...(taken.has('GET') ? ['HEAD'] : [])].join(', ');
      app.route({
        method: others,
        url,
        handler: async (request, reply) => {
          const res = gh.errorResponse(new MethodNotAllowed(request.method), toAuthRequest(request));
          return sendResponse(reply, { ...res, headers: { ...res.headers, allow } });
        },
      });
    }
  }
}

/**
 * Authenticates the request with the configured schemes (or `schemes`, like DRF's per-view
 * authentication_classes) and sets `request.user`/`request.auth`; anonymous is allowed.
 */
export function authenticate(schemes?: readonly SchemeName[]): preHandlerAsyncHookHandler {
  return guard(undefined, schemes);
}

/**
 * A preHandler that authenticates and then requires a permission (default: isAuthenticated),
 * answering 401/403 with DRF's bodies and the first scheme's challenge.
 */
export function requireAuth(permission: Permission = isAuthenticated, schemes?: readonly SchemeName[]) {
  return guard(permission, schemes);
}

function guard(
  permission: Permission | undefined,
  schemes?: readonly SchemeName[],
): preHandlerAsyncHookHandler {
  let pipeline: ReturnType<Gatehouse['pipelineFor']> | undefined;
  return async function gatehouseGuard(this: FastifyInstance, request, reply) {
    const gh = this.gatehouse;
    pipeline ??= gh.pipelineFor(schemes);
    const req = toAuthRequest(request);
    try {
      const result = await pipeline.authenticate(req);
      request.auth = result;
      request.user = result?.user ?? null;
      if (permission) await pipeline.enforce(req, result, permission);
      reply.header('vary', 'Cookie, Authorization');
    } catch (err) {
      return sendResponse(reply, gh.errorResponse(err, req, pipeline));
    }
  };
}
