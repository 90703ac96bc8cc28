/**
 * The Prometheus endpoint of the standalone server (docs/metrics.md): a real server with metrics
 * on, scraped over HTTP while each flow runs, and the ways it refuses a scrape that is not its
 * operator's.
 */
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatehouseConfigInput, resolveConfig } from '../../src/core/config.js';
import { createUser } from '../../src/core/users.js';
import { buildServer, type Server } from '../../src/server/app.js';
import { metricsRefusal } from '../../src/server/metrics.js';
import { openStores } from '../../src/stores/open.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
import { describeUnavailable } from '../helpers/required.js';
import { tempProject } from '../helpers/temp.js';
import { type TcpProxy, tcpProxy } from '../stores/proxy.js';

const PASSWORD = 'correct horse battery staple';
const METRICS_TOKEN = 'metrics-token-0123456789-abcdefghijklmnopqrstuvwxyz';

interface Running {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

async function start(overrides: Partial<GatehouseConfigInput> = {}, host = '127.0.0.1'): Promise<Running> {
  const config = resolveConfig({
    secretKey: TEST_SECRET,
    authentication: ['session', 'token', 'jwt'],
    database: `sqlite:${join(tempProject(), 'gatehouse.db')}`,
    passwords: { argon2: FAST_HASHING },
    metrics: { enabled: true },
    ...overrides,
  } as GatehouseConfigInput);
  const stores = await openStores(config);
  const server = await buildServer({ config, stores, logger: false });
  await createUser(server.gh.ctx, { username: 'alice', password: PASSWORD });
  await server.app.listen({ port: 0, host });
  const { port } = server.app.server.address() as AddressInfo;
  return { server, origin: `http://${host}:${port}`, close: () => server.app.close() };
}

/** The exposition as `name{labels}` → value (labels as printed, in prom-client's order). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(origin: string): Promise<Map<string, number>> {
  const res = await fetch(`${origin}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parse(await res.text());
}

const post = (origin: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('metrics: the counters move with each flow', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start({
      // Every second presentation of a spent refresh token is reuse (no grace window).
      jwt: { reuseGraceSeconds: 0 },
      throttle: { loginUsername: '3/min' },
    });
  });
  afterAll(async () => s?.close());

  /** Runs `flow` and answers how much each of `keys` moved. */
  async function moved(keys: string[], flow: () => Promise<void>): Promise<number[]> {
    const before = await scrape(s.origin);
    await flow();
    const after = await scrape(s.origin);
    return keys.map((k) => (after.get(k) ?? 0) - (before.get(k) ?? 0));
  }

  it('session login: a login, a mint and the pipeline outcome', async () => {
    const deltas = await moved(
      [
        'gatehouse_logins_total{scheme="session",result="succeeded"}',
        'gatehouse_credentials_minted_total{kind="session"}',
        'gatehouse_authentications_total{scheme="session",outcome="ok"}',
        'gatehouse_revocations_total{kind="session"}',
      ],
      async () => {
        const csrf = await fetch(`${s.origin}/api/auth/csrf/`);
        const { csrfToken } = (await csrf.json()) as { csrfToken: string };
        const csrfCookie = csrf.headers.getSetCookie()[0]!.split(';')[0]!;
        const headers = { cookie: csrfCookie, 'x-csrftoken': csrfToken, origin: s.origin };
        const login = await post(
          s.origin,
          '/api/auth/login/',
          { username: 'alice', password: PASSWORD },
          headers,
        );
        expect(login.status).toBe(200);
        const session = login.headers
          .getSetCookie()
          .find((c) => c.startsWith('sessionid='))!
          .split(';')[0]!;
        const me = await fetch(`${s.origin}/api/me/`, { headers: { cookie: `${csrfCookie}; ${session}` } });
        expect(me.status).toBe(200);
        const out = await post(
          s.origin,
          '/api/auth/logout/',
          {},
          { ...headers, cookie: `${csrfCookie}; ${session}` },
        );
        expect(out.status).toBe(204);
      },
    );
    // The pipeline answered twice: /api/me/ and the logout.
    expect(deltas).toEqual([1, 1, 2, 1]);
  });

  it('token obtain, use, a refused key and revocation', async () => {
    const deltas = await moved(
      [
        'gatehouse_logins_total{scheme="token",result="succeeded"}',
        'gatehouse_credentials_minted_total{kind="api_token"}',
        'gatehouse_authentications_total{scheme="token",outcome="ok"}',
        'gatehouse_authentications_total{scheme="token",outcome="authentication_failed"}',
        'gatehouse_revocations_total{kind="api_token"}',
      ],
      async () => {
        const obtain = await post(s.origin, '/api-token-auth/', { username: 'alice', password: PASSWORD });
        expect(obtain.status).toBe(200);
        const { token } = (await obtain.json()) as { token: string };
        const auth = { authorization: `Token ${token}` };
        const list = await fetch(`${s.origin}/api/auth/tokens/`, { headers: auth });
        const [{ id }] = (await list.json()) as [{ id: string }];
        const bad = await fetch(`${s.origin}/api/me/`, { headers: { authorization: 'Token not-a-key' } });
        expect(bad.status).toBe(401);
        const del = await fetch(`${s.origin}/api/auth/tokens/${id}/`, { method: 'DELETE', headers: auth });
        expect(del.status).toBe(204);
      },
    );
    expect(deltas).toEqual([1, 1, 2, 1, 1]);
  });

  it('JWT obtain, refresh and reuse detection', async () => {
    const deltas = await moved(
      [
        'gatehouse_credentials_minted_total{kind="jwt"}',
        'gatehouse_authentications_total{scheme="jwt",outcome="ok"}',
        'gatehouse_refreshes_total{result="rotated"}',
        'gatehouse_refresh_reuse_detected_total',
        'gatehouse_events_total{event="refresh_reuse_detected"}',
      ],
      async () => {
        const obtain = await post(s.origin, '/api/token/', { username: 'alice', password: PASSWORD });
        const { access, refresh } = (await obtain.json()) as { access: string; refresh: string };
        expect(
          (await fetch(`${s.origin}/api/me/`, { headers: { authorization: `Bearer ${access}` } })).status,
        ).toBe(200);
        expect((await post(s.origin, '/api/token/refresh/', { refresh })).status).toBe(200);
        expect((await post(s.origin, '/api/token/refresh/', { refresh })).status).toBe(401);
      },
    );
    expect(deltas).toEqual([1, 1, 1, 1, 1]);
  });

  it('a throttled login, and the hashing pool it waited on', async () => {
    const deltas = await moved(
      [
        'gatehouse_throttled_total{scope="login"}',
        'gatehouse_logins_total{scheme="jwt",result="failed"}',
        'gatehouse_hash_wait_seconds_count',
      ],
      async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await post(s.origin, '/api/token/', { username: 'mallory', password: 'wrong' });
          statuses.push(res.status);
        }
        expect(statuses).toEqual([401, 401, 401, 429]);
      },
    );
    // Three wrong passwords are three hashes (the unknown name costs a dummy one), the fourth none.
    expect(deltas[0]).toBe(1);
    expect(deltas[1]).toBeGreaterThanOrEqual(3);
    expect(deltas[2]).toBe(3);
  });

  it('store latency by store and backend, the queue depth, HTTP latency by route template only', async () => {
    const after = await scrape(s.origin);
    expect(
      after.get('gatehouse_store_duration_seconds_count{store="users",backend="sqlite"}'),
    ).toBeGreaterThan(0);
    expect(
      after.get('gatehouse_store_duration_seconds_count{store="apiTokens",backend="sqlite"}'),
    ).toBeGreaterThan(0);
    expect(after.get('gatehouse_hash_queue_depth')).toBe(0);
    expect(
      after.get('gatehouse_http_request_duration_seconds_count{method="GET",route="/api/me/",status="200"}'),
    ).toBeGreaterThan(0);
    expect(
      after.get(
        'gatehouse_http_request_duration_seconds_count{method="DELETE",route="/api/auth/tokens/:id/",status="204"}',
      ),
    ).toBe(1);
    // No label carries a username, a raw path or an id.
    const text = [...after.keys()].join('\n');
    expect(text).not.toMatch(/alice|mallory/);
    expect(text).not.toMatch(/route="[^"]*\/\d+\//);
    const unknown = await fetch(`${s.origin}/no/such/path/12345`);
    expect(unknown.status).toBe(404);
    const later = [...(await scrape(s.origin)).keys()].join('\n');
    expect(later).not.toContain('12345');
    expect(later).toContain('route="unmatched"');
  });

  it("is in the server's OpenAPI document when served on its port", async () => {
    const doc = (await (await fetch(`${s.origin}/api/schema/`)).json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/metrics']).toBeDefined();
  });
});

describe('metrics: never public by accident', () => {
  it('is off by default: no /metrics, nothing counted', async () => {
    const s = await start({ metrics: { enabled: false } });
    try {
      expect((await fetch(`${s.origin}/metrics`)).status).toBe(404);
      expect(s.server.gh.services.metrics).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('behind a proxy on the same host, a forwarded public client is refused', async () => {
    const s = await start({ server: { trustProxy: true } });
    try {
      const res = await fetch(`${s.origin}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'permission_denied' });
      expect((await fetch(`${s.origin}/metrics`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('a forwarded header never makes a remote connection look local', () => {
    // The connection is what counts: X-Forwarded-For: 127.0.0.1 from elsewhere stays elsewhere.
    expect(metricsRefusal({}, '203.0.113.5', '127.0.0.1', undefined)?.status).toBe(403);
    expect(metricsRefusal({}, '::ffff:127.0.0.1', '127.0.0.1', undefined)).toBeNull();
    expect(metricsRefusal({}, '::1', '::1', undefined)).toBeNull();
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  it.skipIf(!external)(
    `a client on a non-loopback address is refused, X-Forwarded-For: 127.0.0.1 or not (skipped when this host has no non-loopback IPv4 address; found: ${external ?? 'none'})`,
    async () => {
      const s = await start({ server: { trustProxy: true } }, external!);
      try {
        const res = await fetch(`${s.origin}/metrics`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
        expect(res.status).toBe(403);
        expect((await fetch(`${s.origin}/metrics`)).status).toBe(403);
      } finally {
        await s.close();
      }
    },
  );

  it('with metrics.token: the right bearer token from anywhere, 401 without or with a wrong one', async () => {
    const s = await start({ metrics: { enabled: true, token: METRICS_TOKEN } });
    try {
      const none = await fetch(`${s.origin}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const wrong = await fetch(`${s.origin}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ code: 'authentication_failed' });
      const right = await fetch(`${s.origin}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('gatehouse_authentications_total');
    } finally {
      await s.close();
    }
  });

  it("with metrics.port: served on its own listener, not on the server's port", async () => {
    const s = await start({ metrics: { enabled: true, port: 0 } });
    try {
      const listener = s.server.metricsListener!;
      expect(listener.listening).toBe(true);
      const own = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      expect((await fetch(`${s.origin}/metrics`)).status).toBe(404);
      expect((await fetch(`${s.origin}/api/me/`)).status).toBe(403);
      const res = await fetch(`${own}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(
        /gatehouse_http_request_duration_seconds_count\{method="GET",route="\/api\/me\/",status="403"\} 1/,
      );
      expect((await fetch(`${own}/other`)).status).toBe(404);
      const doc = (await (await fetch(`${s.origin}/api/schema/`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(doc.paths['/metrics']).toBeUndefined();
    } finally {
      await s.close();
    }
    expect(s.server.metricsListener!.listening).toBe(false);
  });

  it('with metrics.port and metrics.token: the listener asks for the token too', async () => {
    const s = await start({ metrics: { enabled: true, port: 0, token: METRICS_TOKEN } });
    try {
      const own = `http://127.0.0.1:${(s.server.metricsListener!.address() as AddressInfo).port}`;
      expect((await fetch(`${own}/metrics`)).status).toBe(401);
      const ok = await fetch(`${own}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(ok.status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

const redisUrl = process.env.GATEHOUSE_TEST_REDIS_URL;
if (!redisUrl) {
  describeUnavailable('metrics: a store outage', 'GATEHOUSE_TEST_REDIS_URL is not set', ['redis']);
} else {
  describe('metrics: a store outage', () => {
    let proxy: TcpProxy;
    let s: Running;
    beforeAll(async () => {
      const url = new URL(redisUrl);
      proxy = await tcpProxy(url.hostname, Number(url.port));
      url.host = `127.0.0.1:${proxy.port}`;
      url.search = `?prefix=metrics-${process.pid}-${Date.now()}:`;
      s = await start({ redis: url.toString() });
    });
    afterAll(async () => {
      await s?.close();
      await proxy?.close();
    });

    it('counts the failed calls by store and backend, and the 503s by route', async () => {
      const key = 'gatehouse_store_errors_total{store="rateLimits",backend="redis"}';
      const before = (await scrape(s.origin)).get(key) ?? 0;
      await proxy.cut();
      const res = await post(s.origin, '/api/token/', { username: 'alice', password: PASSWORD });
      expect(res.status).toBe(503);
      const after = await scrape(s.origin);
      expect((after.get(key) ?? 0) - before).toBe(1);
      expect(
        after.get(
          'gatehouse_http_request_duration_seconds_count{method="POST",route="/api/token/",status="503"}',
        ),
      ).toBe(1);
      await proxy.restore();
    });
  });
}
