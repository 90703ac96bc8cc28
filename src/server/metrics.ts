import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import {
  AuthenticationFailed,
  type GatehouseError,
  NotAuthenticated,
  NotFound,
  PermissionDenied,
} from '../core/errors.js';
import type { MetricsSettings } from '../core/settings/metrics.js';
import { constantTimeEqual } from '../crypto/random.js';
import type { GatehouseMetrics } from '../services/metrics/registry.js';

const CHALLENGE = 'Bearer realm="metrics"';

/**
 * Who may scrape (docs/metrics.md): with `metrics.token`, whoever presents it, compared in
 * constant time; without one, loopback clients only. Loopback means the connection itself comes
 * from loopback *and* the client address (after `trustProxy`) does too: a proxy on the same
 * host makes every public client's connection a loopback one, and a forwarded header must never
 * make a remote connection look local. Returns the refusal, or null to serve.
 *
 * @example
 * metricsRefusal(settings, '127.0.0.1', '203.0.113.7', undefined); // PermissionDenied
 */
export function metricsRefusal(
  settings: Pick<MetricsSettings, 'token'>,
  peer: string | undefined,
  clientIp: string,
  authorization: string | undefined,
): GatehouseError | null {
  if (settings.token !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return challenge(new NotAuthenticated('Metrics need "Authorization: Bearer <metrics.token>".'));
    if (!constantTimeEqual(m[1]!, settings.token))
      return challenge(new AuthenticationFailed('Invalid metrics token.'));
    return null;
  }
  if (isLoopback(peer) && isLoopback(clientIp)) return null;
  return new PermissionDenied(
    'Metrics are served to loopback clients only; set metrics.token or metrics.port to scrape from elsewhere.',
  );
}

function challenge<E extends GatehouseError>(error: E): E {
  error.headers['www-authenticate'] = CHALLENGE;
  return error;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.toLowerCase().replace(/^::ffff:/, '');
  return bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * Serves the metrics of the standalone server: latency by route template for every answer, and
 * `GET /metrics` on the server's port, or on a listener of its own when `metrics.port` is set
 * (then not on the server's port at all). The own listener starts and stops with the app.
 * Returns that listener, or null.
 */
export function registerMetrics(
  app: FastifyInstance,
  metrics: GatehouseMetrics,
  settings: MetricsSettings,
): HttpServer | null {
  app.addHook('onResponse', (request, reply, done) => {
    // The route's template, never the raw path (ids, tokens in paths): bounded label values.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.http(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  if (settings.port === undefined) {
    app.get('/metrics', async (request, reply) => {
      const refusal = metricsRefusal(
        settings,
        request.socket.remoteAddress,
        request.ip,
        request.headers.authorization,
      );
      if (refusal) throw refusal;
      const { contentType, body } = await metrics.scrape();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
    return null;
  }
  const listener = createServer((req, res) => {
    answer(req, metrics, settings).then(
      ({ status, headers, body }) => res.writeHead(status, headers).end(body),
      () => res.writeHead(500).end(),
    );
  });
  const { port, host } = settings;
  app.addHook(
    'onReady',
    () =>
      new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          resolve();
        });
      }),
  );
  app.addHook(
    'onClose',
    () =>
      new Promise<void>((resolve) => {
        if (!listener.listening) return resolve();
        listener.close(() => resolve());
        listener.closeAllConnections();
      }),
  );
  return listener;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The own listener's answers: the exposition at /metrics, DRF-shaped errors otherwise. */
async function answer(
  req: IncomingMessage,
  metrics: GatehouseMetrics,
  settings: MetricsSettings,
): Promise<Answer> {
  const path = (req.url ?? '/').split('?', 1)[0];
  // The listener is its own: no proxy in front of it is trusted, the peer is the client.
  const peer = req.socket.remoteAddress;
  const refusal =
    path !== '/metrics' && path !== '/metrics/'
      ? new NotFound()
      : req.method !== 'GET' && req.method !== 'HEAD'
        ? new NotFound()
        : settings.token !== undefined
          ? metricsRefusal(settings, peer, peer ?? '', req.headers.authorization)
          : null;
  if (refusal) {
    return {
      status: refusal.status,
      headers: { 'content-type': 'application/json', ...refusal.headers },
      body: JSON.stringify({ detail: refusal.message, code: refusal.code }),
    };
  }
  const { contentType, body } = await metrics.scrape();
  return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
}
