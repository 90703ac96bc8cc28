import { createRequire } from 'node:module';
import type { Counter, Registry } from 'prom-client';
import type { Metrics } from '../../core/metrics.js';

/** Seconds: store round trips are sub-millisecond on a good day, seconds on a bad one. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
/** Seconds: a hash takes tens of milliseconds; a queue, more. */
const HASH_WAIT_BUCKETS = [0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** What a security event adds to the named counters beside `gatehouse_events_total`. */
interface EventCounters {
  logins: Counter<'scheme' | 'result'>;
  mints: Counter<'kind'>;
  refreshes: Counter<'result'>;
  revocations: Counter<'kind'>;
  reuse: Counter;
}

/**
 * The metrics of one gatehouse, over its own prom-client registry (never the module-level
 * default one: two gatehouses in one process, or one per test, never share counts). The core
 * reports through the {@link Metrics} interface; the stores, the hashing pool and the HTTP layer
 * through the methods below.
 */
export interface GatehouseMetrics extends Metrics {
  /** The registry every metric of this gatehouse is in: scrape it, or merge it into an app's. */
  readonly registry: Registry;
  /** One store call: how long it took, and whether the store was unavailable. */
  store(store: string, backend: string, seconds: number, failed: boolean): void;
  /** How long a hash waited for a slot in the pool. */
  hashWait(seconds: number): void;
  /** One HTTP answer: `route` is the route's template (`/api/auth/tokens/:id/`), never a raw path. */
  http(method: string, route: string, status: number, seconds: number): void;
  /** The exposition text and its content type, for a `GET /metrics` handler. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * Builds the metrics once, in the composition root. `queueDepth` is read at scrape time (the
 * hashing pool's waiting line).
 *
 * @example
 * const metrics = createMetrics(() => hasher.queued ?? 0);
 * (await metrics.scrape()).body; // '# HELP gatehouse_authentications_total …'
 */
export function createMetrics(queueDepth: () => number): GatehouseMetrics {
  // Loaded here, on first use, not at import: a gatehouse without metrics (every CLI command, most
  // apps) does not pay the ~60 ms prom-client takes to load. It is CommonJS, so require is sync.
  const { Counter, Gauge, Histogram, Registry } = createRequire(import.meta.url)(
    'prom-client',
  ) as typeof import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  const authentications = new Counter({
    name: 'gatehouse_authentications_total',
    help: 'Authentication outcomes: the scheme that answered and ok, the refusing scheme and its error code, or none/anonymous.',
    labelNames: ['scheme', 'outcome'] as const,
    registers,
  });
  const events = new Counter({
    name: 'gatehouse_events_total',
    help: 'Security events, by the audit trail name.',
    labelNames: ['event'] as const,
    registers,
  });
  const counters: EventCounters = {
    logins: new Counter({
      name: 'gatehouse_logins_total',
      help: 'Password sign-ins (session login, token obtain, JWT obtain, Basic) by scheme and result.',
      labelNames: ['scheme', 'result'] as const,
      registers,
    }),
    mints: new Counter({
      name: 'gatehouse_credentials_minted_total',
      help: 'Credentials issued: session, api_token, jwt (an obtained pair).',
      labelNames: ['kind'] as const,
      registers,
    }),
    refreshes: new Counter({
      name: 'gatehouse_refreshes_total',
      help: 'JWT refreshes: rotated, or replayed (the same successor inside the grace window).',
      labelNames: ['result'] as const,
      registers,
    }),
    revocations: new Counter({
      name: 'gatehouse_revocations_total',
      help: 'Credentials ended: session, api_token, jwt (a logout), all (logout everywhere).',
      labelNames: ['kind'] as const,
      registers,
    }),
    reuse: new Counter({
      name: 'gatehouse_refresh_reuse_detected_total',
      help: 'Spent refresh tokens presented again: each revoked its whole family.',
      registers,
    }),
  };
  const throttled = new Counter({
    name: 'gatehouse_throttled_total',
    help: 'Requests refused with 429 by a throttle scope.',
    labelNames: ['scope'] as const,
    registers,
  });
  const storeDuration = new Histogram({
    name: 'gatehouse_store_duration_seconds',
    help: 'Store calls, by store and backend.',
    labelNames: ['store', 'backend'] as const,
    buckets: STORE_BUCKETS,
    registers,
  });
  const storeErrors = new Counter({
    name: 'gatehouse_store_errors_total',
    help: 'Store calls that failed because the store was unavailable (answered 503).',
    labelNames: ['store', 'backend'] as const,
    registers,
  });
  new Gauge({
    name: 'gatehouse_hash_queue_depth',
    help: 'Password hashes waiting for a slot in the hashing pool.',
    registers,
    collect() {
      this.set(queueDepth());
    },
  });
  const hashWait = new Histogram({
    name: 'gatehouse_hash_wait_seconds',
    help: 'How long each password hash waited for a slot in the hashing pool.',
    buckets: HASH_WAIT_BUCKETS,
    registers,
  });
  const http = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP answers by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  return {
    registry,
    authentication: (scheme, outcome) => authentications.inc({ scheme, outcome }),
    event(name, scheme) {
      events.inc({ event: name });
      countEvent(counters, name, scheme);
    },
    throttled: (scope) => throttled.inc({ scope }),
    store(store, backend, seconds, failed) {
      storeDuration.observe({ store, backend }, seconds);
      if (failed) storeErrors.inc({ store, backend });
    },
    hashWait: (seconds) => hashWait.observe(seconds),
    http: (method, route, status, seconds) =>
      http.observe({ method, route, status: String(status) }, seconds),
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** The named counters an audit event moves; `scheme` is a scheme name or null. */
function countEvent(c: EventCounters, name: string, scheme: string | null): void {
  switch (name) {
    case 'login_succeeded':
      c.logins.inc({ scheme: scheme ?? 'unknown', result: 'succeeded' });
      // A token obtain mints through token_created; a session or a JWT pair is made here.
      if (scheme === 'session' || scheme === 'jwt') c.mints.inc({ kind: scheme });
      return;
    case 'login_failed':
      c.logins.inc({ scheme: scheme ?? 'unknown', result: 'failed' });
      return;
    case 'token_created':
      c.mints.inc({ kind: 'api_token' });
      return;
    case 'refresh_rotated':
      c.refreshes.inc({ result: 'rotated' });
      return;
    case 'refresh_replayed':
      c.refreshes.inc({ result: 'replayed' });
      return;
    case 'refresh_reuse_detected':
      c.reuse.inc();
      return;
    case 'token_revoked':
      c.revocations.inc({ kind: 'api_token' });
      return;
    case 'session_revoked':
      c.revocations.inc({ kind: 'session' });
      return;
    case 'logout':
      c.revocations.inc({ kind: scheme === 'jwt' ? 'jwt' : 'session' });
      return;
    case 'logout_all':
      c.revocations.inc({ kind: 'all' });
      return;
    default:
      return;
  }
}
