import { createServer, type Server as HttpServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  coalesceWrites,
  errorHandler,
  frameworkErrors,
  gatehousePlugin,
  notFound,
} from '../adapters/fastify.js';
import { createGatehouse, type Gatehouse } from '../contract/gatehouse.js';
import type { Clock } from '../core/clock.js';
import { type GatehouseConfig, type GatehouseConfigInput, resolveConfig } from '../core/config.js';
import type { PasswordHasher } from '../crypto/passwords/types.js';
import { clientErrorHandler } from '../edge/client-errors.js';
import { serverBaseline } from '../edge/headers.js';
import type { Stores } from '../stores/types.js';
import { registerAccountPage } from './account-page.js';
import { registerCors } from './cors.js';
import { registerMetrics } from './metrics.js';
import { registerSchema } from './schema.js';

export interface BuildServerOptions {
  /** The config as `defineConfig` returns it, or resolved (`resolveConfig`, the loader). */
  config: GatehouseConfigInput | GatehouseConfig;
  stores: Stores;
  clock?: Clock;
  passwords?: PasswordHasher;
  /** Pino options or false; default: JSON logs at config.logLevel (`serverLogger` for the CLI's). */
  logger?: boolean | Record<string, unknown>;
  /** The worker's id under `gatehouse serve --workers`: `/readyz` names the worker that answered. */
  worker?: number | undefined;
}

export interface Server {
  app: FastifyInstance;
  gh: Gatehouse;
  /** The metrics' own listener (`metrics.port`), listening once the app is; else null. */
  metricsListener: HttpServer | null;
}

/**
 * The standalone server: the HTTP contract, health checks and JSON errors on Fastify. The
 * stores are opened (and migrated) by the caller and closed with the app.
 *
 * @example
 * const { app } = await buildServer({ config, stores });
 * await app.listen({ port: 8000, host: '127.0.0.1' });
 */
export async function buildServer(opts: BuildServerOptions): Promise<Server> {
  const { stores } = opts;
  const config = resolveConfig(opts.config);
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    bodyLimit: config.server.bodyLimit,
    trustProxy: config.server.trustProxy,
    // Node's own limit on the header block: larger requests get 431 before any of our code runs.
    serverFactory: (handler) => createServer({ maxHeaderSize: config.server.maxHeaderSize }, handler),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    // The router's own refusals (bad percent-escape, over-long segment) in DRF's shape too.
    frameworkErrors,
    clientErrorHandler,
  });
  const gh = createGatehouse({
    config,
    stores,
    clock: opts.clock,
    passwords: opts.passwords,
    logger: app.log,
  });
  // Before the routes: a preflight is answered by CORS' own hook, whatever the path.
  await registerCors(app, config);
  await app.register(gatehousePlugin, { gatehouse: gh });
  registerHealth(app, stores, opts.worker);
  registerSchema(app, gh);
  registerAccountPage(app, { config });
  const metrics = gh.services.metrics;
  const metricsListener = metrics ? registerMetrics(app, metrics, config.metrics) : null;
  // Fastify's own errors (body limit, content type, malformed request) and unknown paths in
  // DRF's shape, by the same rules as the contract's routes and the adapters.
  app.setNotFoundHandler(notFound);
  app.setErrorHandler(errorHandler);
  app.addHook('onClose', async () => stores.close());
  if (config.server.coalesceWrites) app.addHook('onSend', coalesceWrites);
  // The server's own routes (health, schema) get the contract's baseline too; never overrides.
  app.addHook('onSend', (request, reply, payload, done) => {
    const baseline = serverBaseline(request.protocol === 'https');
    for (const name in baseline) if (!reply.hasHeader(name)) reply.header(name, baseline[name]);
    done(null, payload);
  });
  return { app, gh, metricsListener };
}

function registerHealth(app: FastifyInstance, stores: Stores, worker: number | undefined): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  // Each worker answers over its own store connections: a worker that lost them is unready alone.
  const self = worker === undefined ? {} : { worker };
  app.get('/readyz', async (_req, reply) => {
    const checks = await stores.health();
    const ready = Object.values(checks).every((s) => s === 'ok');
    reply.code(ready ? 200 : 503).header('cache-control', 'no-store');
    return { status: ready ? 'ok' : 'unavailable', stores: checks, ...self };
  });
}
