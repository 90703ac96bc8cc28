/**
 * PostgreSQL or Redis stopped while two instances run: requests that need the stopped store get
 * 503 `service_unavailable` (never 200, never a 500, never a crash), /readyz names the store that
 * is down, and service resumes by itself once it is back.
 *
 * The servers are this file's own (scripts/services.sh with a private directory and ports), so
 * stopping them disturbs no other test running at the same time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../helpers/cli.js';
import {
  ADMIN_PASSWORD,
  Browser,
  basic,
  call,
  describeIf,
  PASSWORD,
  type Reply,
  sharedEnv,
  startInstances,
} from './cluster.js';

const run = promisify(execFile);
const SERVICES = resolve(import.meta.dirname, '../../scripts/services.sh');

function whyNot(): string | null {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  if (!versions.some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))) {
    return 'PostgreSQL is not installed (apt-get install postgresql)';
  }
  const path = (process.env.PATH ?? '').split(':');
  if (!path.some((dir) => existsSync(join(dir, 'redis-server'))))
    return 'redis-server is not installed (apt-get install redis-server)';
  return null;
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Polls `check` until it holds; returns how long that took. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const unavailable = (r: Reply): void => {
  expect(r.status, JSON.stringify(r.body)).toBe(503);
  expect(r.body.code).toBe('service_unavailable');
};

describeIf(whyNot(), ['postgres', 'redis'], 'instances while PostgreSQL or Redis is down', () => {
  let a: RunningServer;
  let b: RunningServer;
  let dir: string;
  let servicesEnv: Record<string, string>;
  const services = (command: string) => run(SERVICES, [command], { env: servicesEnv });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-failures-'));
    const [pgPort, redisPort] = [await freePort(), await freePort()];
    servicesEnv = {
      PATH: process.env.PATH ?? '',
      GATEHOUSE_SERVICES_DIR: dir,
      GATEHOUSE_PG_PORT: String(pgPort),
      GATEHOUSE_REDIS_PORT: String(redisPort),
    };
    await services('start');
    const env = sharedEnv(
      `postgres://postgres@127.0.0.1:${pgPort}/gatehouse_test`,
      `redis://127.0.0.1:${redisPort}`,
    );
    [a, b] = (await startInstances(env)) as [RunningServer, RunningServer];
    const r = await call(a, 'POST', '/api/auth/register/', { json: { username: 'una', password: PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await services('stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const apiToken = async (): Promise<string> => {
    const r = await call(a, 'POST', '/api-token-auth/', { json: { username: 'una', password: PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return `Token ${r.body.token as string}`;
  };
  const obtain = (server: RunningServer) =>
    call(server, 'POST', '/api/token/', { json: { username: 'una', password: PASSWORD } });
  const refresh = (server: RunningServer, token: string) =>
    call(server, 'POST', '/api/token/refresh/', { json: { refresh: token } });
  const me = (server: RunningServer, auth: string) => call(server, 'GET', '/api/me/', { auth });
  // Each instance reconnects on its own backoff (attempts at most 2 s apart), so service must
  // resume on both: on a loaded machine A may still be between attempts when B is already back.
  const resumesOnBoth = async (works: (server: RunningServer) => Promise<boolean>, what: string) => {
    for (const [server, name] of [
      [b, 'B'],
      [a, 'A'],
    ] as const) {
      expect(await until(() => works(server), 15_000, `${what} on ${name}`)).toBeLessThan(5_000);
    }
  };
  const alive = (): void => {
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  };

  it('Redis stopped: session and refresh requests get 503, API tokens keep working, /readyz names redis', async () => {
    const token = await apiToken();
    const pair = (await obtain(a)).body as { access: string; refresh: string };
    const browser = new Browser();
    expect(await browser.login(a, 'una', PASSWORD)).toMatchObject({ status: 200 });
    await services('stop-redis');
    try {
      for (const server of [a, b]) {
        unavailable(await browser.call(server, 'GET', '/api/me/'));
        unavailable(await new Browser().login(server, 'una', PASSWORD));
        unavailable(await refresh(server, pair.refresh));
        unavailable(await obtain(server));
        // The API token lives in PostgreSQL: nothing it needs is down.
        expect((await me(server, token)).status).toBe(200);
        const ready = await call(server, 'GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body).toEqual({ status: 'unavailable', stores: { postgres: 'ok', redis: 'down' } });
        expect((await call(server, 'GET', '/healthz')).status).toBe(200);
      }
    } finally {
      await services('start-redis');
    }
    await resumesOnBoth(async (server) => (await obtain(server)).status === 200, 'JWT obtain');
    const fresh = (await obtain(a)).body as { refresh: string };
    expect((await refresh(b, fresh.refresh)).status).toBe(200);
    // This Redis keeps nothing across a restart (no persistence): sessions start again.
    const again = new Browser();
    expect(await again.login(b, 'una', PASSWORD)).toMatchObject({ status: 200 });
    expect((await again.call(a, 'GET', '/api/me/')).status).toBe(200);
    expect((await call(a, 'GET', '/readyz')).status).toBe(200);
    alive();
  });

  it('PostgreSQL stopped: every authenticated request gets 503 (never 200, never 500), then service resumes', async () => {
    const token = await apiToken();
    const pair = (await obtain(a)).body as { access: string; refresh: string };
    const browser = new Browser();
    expect(await browser.login(a, 'una', PASSWORD)).toMatchObject({ status: 200 });
    await services('stop-postgres');
    try {
      const replies = await Promise.all(
        [a, b].flatMap((server) => [
          browser.call(server, 'GET', '/api/me/'),
          me(server, token),
          me(server, `Bearer ${pair.access}`),
          me(server, basic('una', PASSWORD)),
          me(server, basic('admin', ADMIN_PASSWORD)),
          obtain(server),
          call(server, 'GET', '/api/auth/tokens/', { auth: token }),
        ]),
      );
      for (const r of replies) unavailable(r);
      for (const server of [a, b]) {
        const ready = await call(server, 'GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body).toEqual({ status: 'unavailable', stores: { postgres: 'down', redis: 'ok' } });
      }
      alive();
    } finally {
      await services('start-postgres');
    }
    await resumesOnBoth(async (server) => (await me(server, token)).status === 200, 'API token');
    expect((await me(a, `Bearer ${pair.access}`)).status).toBe(200);
    expect((await me(a, basic('una', PASSWORD))).status).toBe(200);
    expect((await browser.call(b, 'GET', '/api/me/')).status).toBe(200);
    expect((await refresh(b, pair.refresh)).status).toBe(200);
    expect((await call(b, 'GET', '/readyz')).body).toEqual({
      status: 'ok',
      stores: { postgres: 'ok', redis: 'ok' },
    });
    alive();
  });

  it('a refresh refused while PostgreSQL was down is not spent: it still refreshes once PostgreSQL is back', async () => {
    const pair = (await obtain(a)).body as { refresh: string };
    await services('stop-postgres');
    try {
      unavailable(await refresh(b, pair.refresh));
    } finally {
      await services('start-postgres');
    }
    await resumesOnBoth(async (server) => (await call(server, 'GET', '/readyz')).status === 200, 'readyz');
    const after = await refresh(a, pair.refresh);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });
});
