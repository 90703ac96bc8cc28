// Shared by the peer servers. Plain JavaScript, run by plain node: no loader hook (jiti) sits in
// a measured process, and the CommonJS peers (express, express-session) load as they would in
// an application.
import { createServer } from 'node:http';

/** The port the bench handed over (it picks a free one on 127.0.0.1). */
export function benchPort() {
  const port = Number(process.env.BENCH_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('BENCH_PORT: expected a port number');
  return port;
}

/** What every peer prints once it accepts connections; the bench waits for it. */
export function announce(port) {
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
}

/**
 * The options src/server/app.ts gives Fastify, so the bare route and the @fastify/jwt peer differ
 * from gatehouse only by what runs per request (logs at warn, as `gatehouse serve` in production
 * with GATEHOUSE_LOG_LEVEL=warn).
 */
export function gatehouseLikeFastifyOptions() {
  return {
    logger: { level: 'warn', redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: 64 * 1024,
    trustProxy: false,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    serverFactory: (handler) => createServer({ maxHeaderSize: 16 * 1024 }, handler),
  };
}

/** A body the size and shape of gatehouse's /api/me/ answer, so every server sends as much. */
export function meBody(id, username, auth) {
  return {
    id,
    username,
    email: '',
    is_staff: false,
    is_active: true,
    date_joined: '2026-01-01T00:00:00.000Z',
    last_login: null,
    auth,
  };
}
