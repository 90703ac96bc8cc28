/**
 * Two `gatehouse serve` processes on different ports over one PostgreSQL database (users, API
 * tokens) and one Redis (sessions, refresh state, rate limits): what one issues the other
 * accepts, and what one revokes the other refuses at the very next request.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import type { RunningServer } from '../helpers/cli.js';
import {
  ADMIN_PASSWORD,
  Browser,
  basic,
  call,
  describeIf,
  MISSING_POSTGRES_REDIS,
  operator,
  PASSWORD,
  RELAXED_THROTTLE,
  startPairOnTestServers,
} from './cluster.js';

const LOGINS_PER_USER = 6;

describeIf(MISSING_POSTGRES_REDIS, ['postgres', 'redis'], 'several instances over PostgreSQL + Redis', () => {
  let a: RunningServer;
  let b: RunningServer;
  let env: Record<string, string>;
  let stores: { database: string; redis: string };
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // One account may sign in LOGINS_PER_USER times a minute, counted over both instances.
    const throttle = { ...RELAXED_THROTTLE, loginUsername: `${LOGINS_PER_USER}/min` };
    const pair = await startPairOnTestServers(cleanup, { config: { throttle } });
    ({ a, b, env } = pair);
    stores = { database: pair.databaseUrl, redis: pair.redisUrl };
  }, 60_000);

  afterAll(async () => {
    for (const step of cleanup) await step();
  }, 30_000);

  /** Signs a new user up on A. */
  const register = async (username: string): Promise<void> => {
    const r = await call(a, 'POST', '/api/auth/register/', { json: { username, password: PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const apiToken = async (server: RunningServer, username: string): Promise<string> => {
    const r = await call(server, 'POST', '/api-token-auth/', { json: { username, password: PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return `Token ${r.body.token as string}`;
  };
  const jwtPair = async (
    server: RunningServer,
    username: string,
  ): Promise<{ access: string; refresh: string }> => {
    const r = await call(server, 'POST', '/api/token/', { json: { username, password: PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { access: string; refresh: string };
  };
  const refresh = (server: RunningServer, token: string) =>
    call(server, 'POST', '/api/token/refresh/', { json: { refresh: token } });
  const me = async (server: RunningServer, auth: string): Promise<number> =>
    (await call(server, 'GET', '/api/me/', { auth })).status;

  it('both started on the same empty database; one admin exists and works on both', async () => {
    for (const server of [a, b]) {
      const r = await call(server, 'GET', '/api/me/', { auth: basic('admin', ADMIN_PASSWORD) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ username: 'admin', auth: 'basic' });
      expect((await call(server, 'GET', '/readyz')).body).toEqual({
        status: 'ok',
        stores: { postgres: 'ok', redis: 'ok' },
      });
    }
  });

  it('a user signed up on A signs in on B', async () => {
    await register('basil');
    expect(await me(b, basic('basil', PASSWORD))).toBe(200);
    expect(await me(b, basic('basil', 'wrong'))).toBe(401);
  });

  it('a session started on A works on B; logged out on A, B refuses the cookie at the next request', async () => {
    await register('sam');
    const browser = new Browser();
    expect(await browser.login(a, 'sam', PASSWORD)).toMatchObject({ status: 200 });
    const stolen = browser.clone();
    const onB = await browser.call(b, 'GET', '/api/me/');
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ username: 'sam', auth: 'session' });
    const list = await browser.call(b, 'GET', '/api/auth/sessions/');
    expect(list.body).toMatchObject([{ current: true }]);
    expect((await browser.call(a, 'POST', '/api/auth/logout/')).status).toBe(204);
    expect((await stolen.call(b, 'GET', '/api/me/')).status).toBe(401);
  });

  it("a session ended from B's list (another device) is refused by A at once", async () => {
    await register('dev');
    const laptop = new Browser();
    const phone = new Browser();
    expect(await laptop.login(a, 'dev', PASSWORD)).toMatchObject({ status: 200 });
    expect(await phone.login(b, 'dev', PASSWORD)).toMatchObject({ status: 200 });
    const list = await laptop.call(b, 'GET', '/api/auth/sessions/');
    const rows = list.body as unknown as { id: string; current: boolean }[];
    expect(rows).toHaveLength(2);
    const phoneRow = rows.find((r) => !r.current) as { id: string };
    expect((await laptop.call(b, 'DELETE', `/api/auth/sessions/${phoneRow.id}/`)).status).toBe(204);
    expect((await phone.call(a, 'GET', '/api/me/')).status).toBe(401);
    expect((await laptop.call(a, 'GET', '/api/me/')).status).toBe(200);
  });

  it('an API token issued by A works on B; revoked on A, B refuses it at the next request', async () => {
    await register('tina');
    const token = await apiToken(a, 'tina');
    expect(await me(b, token)).toBe(200);
    const list = await call(a, 'GET', '/api/auth/tokens/', { auth: token });
    const [{ id }] = list.body as unknown as [{ id: string }];
    expect((await call(a, 'DELETE', `/api/auth/tokens/${id}/`, { auth: token })).status).toBe(204);
    expect(await me(b, token)).toBe(401);
  });

  it('a JWT pair issued by A: B accepts the access token and refreshes; blacklisted on A, B refuses', async () => {
    await register('jay');
    const pair = await jwtPair(a, 'jay');
    expect(await me(b, `Bearer ${pair.access}`)).toBe(200);
    const next = await refresh(b, pair.refresh);
    expect(next.status).toBe(200);
    const rotated = next.body.refresh as string;
    expect(await me(a, `Bearer ${next.body.access as string}`)).toBe(200);
    expect((await call(a, 'POST', '/api/token/blacklist/', { json: { refresh: rotated } })).status).toBe(200);
    const refused = await refresh(b, rotated);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('token_not_valid');
  });

  it('reuse detection seen on B revokes the family issued on A', async () => {
    await register('victim');
    const first = await jwtPair(a, 'victim');
    const second = await refresh(a, first.refresh);
    expect(second.status).toBe(200);
    const third = await refresh(a, second.body.refresh as string);
    expect(third.status).toBe(200);
    // The stolen first refresh token replayed on B once its successor is spent (inside the grace
    // window too): refused, and the whole family ends.
    expect((await refresh(b, first.refresh)).status).toBe(401);
    expect((await refresh(a, third.body.refresh as string)).status).toBe(401);
  });

  it("logout-all on A ends, on B, the user's sessions, API tokens, access and refresh tokens", async () => {
    await register('lou');
    const token = await apiToken(a, 'lou');
    const pair = await jwtPair(b, 'lou');
    const browser = new Browser();
    expect(await browser.login(b, 'lou', PASSWORD)).toMatchObject({ status: 200 });
    expect(await me(b, token)).toBe(200);
    expect(await me(b, `Bearer ${pair.access}`)).toBe(200);
    expect((await call(a, 'POST', '/api/auth/logout-all/', { auth: token })).status).toBe(204);
    expect((await browser.call(b, 'GET', '/api/me/')).status).toBe(401);
    expect(await me(b, token)).toBe(401);
    expect(await me(b, `Bearer ${pair.access}`)).toBe(401);
    expect((await refresh(b, pair.refresh)).status).toBe(401);
    // Signing in again works: the cutoff is for what was issued before it.
    expect(await me(b, `Bearer ${(await jwtPair(b, 'lou')).access}`)).toBe(200);
  });

  it('deactivation by the operator: B refuses the session, Basic, API token, access and refresh tokens at once', async () => {
    await register('dee');
    const token = await apiToken(a, 'dee');
    const pair = await jwtPair(a, 'dee');
    const browser = new Browser();
    expect(await browser.login(a, 'dee', PASSWORD)).toMatchObject({ status: 200 });
    expect(await me(b, token)).toBe(200);
    await operator(env, ['deactivate', 'dee']);
    expect((await browser.call(b, 'GET', '/api/me/')).status).toBe(401);
    expect(await me(b, basic('dee', PASSWORD))).toBe(401);
    expect(await me(b, token)).toBe(401);
    expect(await me(b, `Bearer ${pair.access}`)).toBe(401);
    expect((await refresh(b, pair.refresh)).status).toBe(401);
  });

  it('a password change: B refuses the old password and every credential issued before', async () => {
    await register('pat');
    const token = await apiToken(a, 'pat');
    const pair = await jwtPair(a, 'pat');
    const browser = new Browser();
    expect(await browser.login(a, 'pat', PASSWORD)).toMatchObject({ status: 200 });
    await operator(env, ['changepassword', 'pat', '--password-stdin'], 'an-entirely-new-passphrase-7\n');
    expect((await browser.call(b, 'GET', '/api/me/')).status).toBe(401);
    expect(await me(b, basic('pat', PASSWORD))).toBe(401);
    expect(await me(b, basic('pat', 'an-entirely-new-passphrase-7'))).toBe(200);
    expect(await me(b, token)).toBe(401);
    expect(await me(b, `Bearer ${pair.access}`)).toBe(401);
    expect((await refresh(b, pair.refresh)).status).toBe(401);
  });

  it('throttling counts sign-ins on A and B together (the counters live in Redis)', async () => {
    await register('throttled');
    // One after another: sent together, attempts in flight count as failures until they pass
    // (the back-off's rule, tested in test/hardening/concurrent-guesses.test.ts), which is not what this test is about.
    const logins = [];
    for (let i = 0; i < LOGINS_PER_USER; i++) {
      const server = i % 2 ? b : a;
      logins.push(
        await call(server, 'POST', '/api/token/', { json: { username: 'throttled', password: PASSWORD } }),
      );
    }
    expect(logins.map((r) => r.status)).toEqual(Array(LOGINS_PER_USER).fill(200));
    for (const server of [a, b]) {
      const r = await call(server, 'POST', '/api/token/', {
        json: { username: 'throttled', password: PASSWORD },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('flush-expired deletes what has expired from PostgreSQL and Redis, and nothing live', async () => {
    const direct = await openStores(stores);
    const now = Date.now();
    const digest = (): string => createHash('sha256').update(randomUUID()).digest('hex');
    const user = (await direct.users.findByUsername('admin'))?.id as number;
    try {
      await direct.apiTokens.create({
        id: randomUUID(),
        digest: digest(),
        userId: user,
        name: 'old',
        prefix: 'gat_old',
        scopes: [],
        createdAt: now - 7_200_000,
        lastUsedAt: null,
        expiresAt: now - 3_600_000,
      });
      const session = { userId: user, ip: '', userAgent: '', data: {}, lastSeenAt: now - 7_200_000 };
      for (const expiresAt of [now - 3_600_000, now + 3_600_000]) {
        await direct.sessions.create({
          ...session,
          id: randomUUID(),
          digest: digest(),
          createdAt: now - 7_200_000,
          expiresAt,
        });
      }
      await direct.jwtState.recordOutstanding({
        jti: randomUUID(),
        userId: user,
        familyId: randomUUID(),
        issuedAt: now - 7_200_000,
        expiresAt: now - 3_600_000,
      });
    } finally {
      await direct.close();
    }
    const out = await operator(env, ['flush-expired']);
    expect(out).toContain('Deleted 1 sessions, 1 API tokens, 1 refresh-token records.');
    expect(await operator(env, ['flush-expired'])).toContain(
      'Deleted 0 sessions, 0 API tokens, 0 refresh-token records.',
    );
  });
});
