/**
 * Two `gatehouse serve` instances over PostgreSQL + Redis behind a real load balancer (HAProxy,
 * round-robin per request, `X-Forwarded-For` added, each instance trusting only the proxy's
 * address, as docs/deployment.md configures them). A client that only ever sees the proxy gets
 * its requests spread over both instances; logout, revocation and a refresh spent exactly once
 * hold whichever instance each request lands on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import type { Stores } from '../../src/stores/types.js';
import {
  Browser,
  call,
  describeIf,
  MISSING_POSTGRES_REDIS,
  PASSWORD,
  RELAXED_THROTTLE,
  type Reply,
  startPairOnTestServers,
} from './cluster.js';
import { type Balancer, findHaproxy, PROXY_ADDRESS, SERVED_BY, startHaproxy } from './haproxy.js';

const HAPROXY = findHaproxy();
const missing =
  MISSING_POSTGRES_REDIS ??
  (!HAPROXY ? 'haproxy is not installed (apt-get install haproxy, or set GATEHOUSE_TEST_HAPROXY)' : null);

/** The address every request of this test comes from, as the proxy forwards it. */
const CLIENT_ADDRESS = '127.0.0.1';

// Only what is missing decides whether the skip is allowed (GATEHOUSE_REQUIRE_BACKENDS).
const needed = MISSING_POSTGRES_REDIS ? ['postgres', 'redis'] : ['haproxy'];

describeIf(missing, needed, 'two instances behind HAProxy', () => {
  let lb: Balancer;
  let stores: Stores;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Trust the proxy's address only: a client reaching an instance directly names no address.
    const config = { throttle: RELAXED_THROTTLE, server: { trustProxy: [PROXY_ADDRESS] } };
    const { a, b, databaseUrl } = await startPairOnTestServers(cleanup, { config });
    lb = await startHaproxy(HAPROXY as string, [a.url, b.url]);
    cleanup.unshift(() => lb.stop());
    stores = await openStores({ database: databaseUrl });
    cleanup.unshift(() => stores.close());
  }, 60_000);

  afterAll(async () => {
    for (const step of cleanup) await step();
  }, 30_000);

  const servedBy = (replies: Reply[]): Set<string | null> =>
    new Set(replies.map((r) => r.headers.get(SERVED_BY)));
  /** `count` calls in a row: round-robin sends them to both instances. */
  const repeat = async (count: number, fn: () => Promise<Reply>): Promise<Reply[]> => {
    const replies: Reply[] = [];
    for (let i = 0; i < count; i++) replies.push(await fn());
    return replies;
  };
  const register = async (username: string): Promise<void> => {
    const r = await call(lb.url, 'POST', '/api/auth/register/', { json: { username, password: PASSWORD } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const me = (auth: string) => call(lb.url, 'GET', '/api/me/', { auth });
  const refresh = (token: string) =>
    call(lb.url, 'POST', '/api/token/refresh/', { json: { refresh: token } });

  it('spreads requests over both instances, round-robin', async () => {
    const replies = await repeat(4, () => call(lb.url, 'GET', '/readyz'));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(servedBy(replies)).toEqual(new Set(lb.names));
  });

  it("records the client's address from X-Forwarded-For, never the proxy's nor one the client forged", async () => {
    await register('ivy');
    const browser = new Browser();
    expect((await browser.login(lb, 'ivy', PASSWORD)).status).toBe(200);
    // A client naming its own address: the proxy adds the real one after it, and the instance
    // reads from the right, past the trusted proxy, so the forged one is never believed.
    const forged = await call(lb.url, 'POST', '/api/token/', {
      json: { username: 'ivy', password: PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(forged.status).toBe(200);
    const lists = await repeat(2, () => browser.call(lb, 'GET', '/api/auth/sessions/'));
    expect(servedBy(lists)).toEqual(new Set(lb.names));
    for (const list of lists) {
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject([{ ip: CLIENT_ADDRESS, current: true }]);
    }
    const user = await stores.users.findByUsername('ivy');
    const events = await stores.audit.list({ userId: user!.id, limit: 20 });
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) expect(e.ip).toBe(CLIENT_ADDRESS);
  });

  it('a logout through the proxy: the cookie is refused by every instance at the next request', async () => {
    await register('sam');
    const browser = new Browser();
    expect((await browser.login(lb, 'sam', PASSWORD)).status).toBe(200);
    const stolen = browser.clone();
    const before = await repeat(2, () => stolen.call(lb, 'GET', '/api/me/'));
    expect(before.map((r) => r.status)).toEqual([200, 200]);
    expect((await browser.call(lb, 'POST', '/api/auth/logout/')).status).toBe(204);
    const after = await repeat(4, () => stolen.call(lb, 'GET', '/api/me/'));
    expect(after.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(servedBy(after)).toEqual(new Set(lb.names));
  });

  it('a revoked API token and a blacklisted refresh token are refused by every instance at once', async () => {
    await register('tina');
    const made = await call(lb.url, 'POST', '/api-token-auth/', {
      json: { username: 'tina', password: PASSWORD },
    });
    const token = `Token ${made.body.token as string}`;
    expect((await repeat(2, () => me(token))).map((r) => r.status)).toEqual([200, 200]);
    const [{ id }] = (await call(lb.url, 'GET', '/api/auth/tokens/', { auth: token })).body as unknown as [
      { id: string },
    ];
    expect((await call(lb.url, 'DELETE', `/api/auth/tokens/${id}/`, { auth: token })).status).toBe(204);
    const revoked = await repeat(4, () => me(token));
    expect(revoked.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(servedBy(revoked)).toEqual(new Set(lb.names));

    const pair = await call(lb.url, 'POST', '/api/token/', {
      json: { username: 'tina', password: PASSWORD },
    });
    const blacklisted = await call(lb.url, 'POST', '/api/token/blacklist/', {
      json: { refresh: pair.body.refresh },
    });
    expect(blacklisted.status).toBe(200);
    const refused = await repeat(2, () => refresh(pair.body.refresh as string));
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [401, 'token_not_valid'],
      [401, 'token_not_valid'],
    ]);
    expect(servedBy(refused)).toEqual(new Set(lb.names));
  });

  it('20 refreshes of one token at once through the proxy: one rotation, one successor for all', async () => {
    await register('tabs');
    const pair = await call(lb.url, 'POST', '/api/token/', {
      json: { username: 'tabs', password: PASSWORD },
    });
    const replies = await Promise.all(Array.from({ length: 20 }, () => refresh(pair.body.refresh as string)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(servedBy(replies)).toEqual(new Set(lb.names));
    const successors = new Set(replies.map((r) => r.body.refresh));
    expect(successors.size).toBe(1);
    const user = await stores.users.findByUsername('tabs');
    const events = (await stores.audit.list({ userId: user!.id, limit: 100 })).map((e) => e.event);
    expect(events.filter((e) => e === 'refresh_rotated')).toHaveLength(1);
    expect(events).not.toContain('refresh_reuse_detected');

    // Once the successor is spent, the old token is theft on whichever instance sees it.
    const next = await refresh([...successors][0] as string);
    expect(next.status).toBe(200);
    expect((await refresh(pair.body.refresh as string)).status).toBe(401);
    const family = await repeat(2, () => refresh(next.body.refresh as string));
    expect(family.map((r) => r.status)).toEqual([401, 401]);
  });
});
