import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { GatehouseConfig } from '../core/config.js';

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/**
 * CORS for browser apps on other origins (server.cors; docs/spa.md). Nothing is registered when
 * no origin is listed, so a browser keeps every other origin from reading an answer. The request
 * headers a SPA sends (the CSRF header, Authorization) are allowed; the challenge and the
 * throttle's wait are exposed so a client can act on 401 and 429.
 *
 * @example
 * await registerCors(app, config);
 */
export async function registerCors(app: FastifyInstance, config: GatehouseConfig): Promise<void> {
  const { origins, credentials } = config.server.cors;
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : origins.map(originMatcher),
    credentials,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', config.csrf.headerName],
    exposedHeaders: ['WWW-Authenticate', 'Retry-After'],
    maxAge: PREFLIGHT_MAX_AGE,
  });
}

/** `https://*.example.com` matches every subdomain (as in csrf.trustedOrigins); others exactly. */
function originMatcher(origin: string): string | RegExp {
  const star = origin.indexOf('://*.');
  if (star < 0) return origin;
  const scheme = origin.slice(0, star);
  const rest = origin.slice(star + 5).replace(/[.]/g, '\\.');
  return new RegExp(`^${scheme}://[a-z0-9-]+(\\.[a-z0-9-]+)*\\.${rest}$`, 'i');
}
