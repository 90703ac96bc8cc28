import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { openStores } from '../../src/stores/open.js';
import type { Stores } from '../../src/stores/types.js';
import { basicAuth, makeGatehouse, type TestResponse } from '../helpers/gatehouse.js';
import { CookieJar, PASSWORD, type SessionTestGatehouse, sessionGatehouse } from '../helpers/session.js';
import { tempProject } from '../helpers/temp.js';

const ALL: GatehouseConfigInput['authentication'] = ['session', 'token', 'jwt'];
const OFF = { login: null, loginUsername: null, refresh: null, register: null, passwordChange: null };

const throttled = (seconds: number) => ({
  detail: `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`,
  code: 'throttled',
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function setup(throttle: GatehouseConfigInput['throttle'], extra: Partial<GatehouseConfigInput> = {}) {
  return sessionGatehouse({ authentication: ALL, signup: true, throttle: { ...OFF, ...throttle }, ...extra });
}

type Login = (
  t: SessionTestGatehouse,
  username: string,
  password: string,
  ip: string,
) => Promise<TestResponse>;

/** The three endpoints that take a username and password, each as its client calls it. */
const LOGINS: Record<string, Login> = {
  'POST /api/token/': (t, username, password, ip) =>
    t.call('POST', '/api/token/', { body: { username, password }, ip }),
  'POST /api-token-auth/': (t, username, password, ip) =>
    t.call('POST', '/api-token-auth/', { body: { username, password }, ip }),
  'POST /api/auth/login/': async (t, username, password, ip) => {
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/', { ip });
    return t.browser(jar, 'POST', '/api/auth/login/', { body: { username, password }, ip });
  },
};

describe.each(Object.entries(LOGINS))('%s', (_name, login) => {
  it("429s per (ip, username) with DRF's body and Retry-After, before any password is hashed", async () => {
    const t = await setup({ loginUsername: '2/min' });
    expect((await login(t, 'alice', 'wrong', '198.51.100.1')).status).toBeLessThan(429);
    expect((await login(t, 'alice', PASSWORD, '198.51.100.1')).status).toBe(200);
    const verify = vi.spyOn(t.gh.ctx.passwords, 'verify');
    const dummy = vi.spyOn(t.gh.ctx.passwords, 'dummyVerify');
    const res = await login(t, 'alice', PASSWORD, '198.51.100.1');
    expect(res.status).toBe(429);
    expect(res.body).toEqual(throttled(60));
    expect(res.headers['retry-after']).toBe('60');
    expect(verify).not.toHaveBeenCalled();
    expect(dummy).not.toHaveBeenCalled();
    // Another username from that address, and that username from another address, go on.
    expect((await login(t, 'bob', 'x', '198.51.100.1')).status).toBeLessThan(429);
    expect((await login(t, 'alice', PASSWORD, '198.51.100.2')).status).toBe(200);
    t.clock.advance('59s');
    expect((await login(t, 'alice', PASSWORD, '198.51.100.1')).body).toEqual(throttled(1));
    t.clock.advance('1s');
    expect((await login(t, 'alice', PASSWORD, '198.51.100.1')).status).toBe(200);
  });

  it('backs off after consecutive wrong passwords, refuses even the right one meanwhile, resets on success', async () => {
    const t = await setup({ backoffAfter: 3, backoffBase: '10s', backoffMax: '15m' });
    const ip = '198.51.100.1';
    for (let i = 0; i < 3; i++) expect((await login(t, 'alice', 'guess', ip)).status).toBeLessThan(429);
    const refused = await login(t, 'alice', PASSWORD, ip);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    t.clock.advance('10s');
    expect((await login(t, 'alice', 'guess', ip)).status).toBeLessThan(429);
    expect((await login(t, 'alice', PASSWORD, ip)).headers['retry-after']).toBe('20');
    t.clock.advance('20s');
    expect((await login(t, 'alice', PASSWORD, ip)).status).toBe(200);
    // The success reset the count: two more wrong passwords cost nothing.
    for (let i = 0; i < 2; i++) expect((await login(t, 'alice', 'guess', ip)).status).toBeLessThan(429);
    expect((await login(t, 'alice', PASSWORD, ip)).status).toBe(200);
  });
});

describe('login throttling', () => {
  it('one per-ip window spans every login endpoint and every username', async () => {
    const t = await setup({ login: '3/min' });
    const ip = '203.0.113.5';
    const statuses = [];
    for (const [i, login] of Object.values(LOGINS).entries()) {
      statuses.push((await login(t, `nobody${i}`, 'x', ip)).status);
    }
    expect(statuses.every((s) => s < 429)).toBe(true);
    for (const login of Object.values(LOGINS)) {
      expect((await login(t, 'alice', PASSWORD, ip)).status).toBe(429);
    }
    expect((await LOGINS['POST /api/token/']!(t, 'alice', PASSWORD, '203.0.113.6')).status).toBe(200);
  });

  it('never locks a user out: the back-off is capped, and an attacker elsewhere does not touch it', async () => {
    const t = await setup({ backoffAfter: 5, backoffBase: '1s', backoffMax: '15m' });
    const attacker = '198.51.100.66';
    const obtain = LOGINS['POST /api/token/']!;
    let longest = 0;
    for (let i = 0; i < 40; i++) {
      const res = await obtain(t, 'alice', `guess${i}`, attacker);
      if (res.status === 429) {
        const wait = Number(res.headers['retry-after']);
        longest = Math.max(longest, wait);
        t.clock.advance(wait * 1000);
      }
      // Alice herself, from her own address, is never refused.
      expect((await obtain(t, 'alice', PASSWORD, '192.0.2.10')).status).toBe(200);
    }
    expect(longest).toBe(900);
    t.clock.advance('15m');
    expect((await obtain(t, 'alice', PASSWORD, attacker)).status).toBe(200);
  });

  it('Basic auth cannot get around the back-off, and a right password resets it', async () => {
    const t = await makeGatehouse({
      authentication: ['basic'],
      throttle: { ...OFF, backoffAfter: 3, backoffMax: '1h' },
    });
    await t.user('alice', PASSWORD);
    const me = (password: string, ip = '198.51.100.9') =>
      t.call('GET', '/api/me/', { headers: { authorization: basicAuth('alice', password) }, ip });
    for (let i = 0; i < 100; i++) expect((await me(PASSWORD)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await me('guess')).status).toBe(401);
    const res = await me(PASSWORD);
    expect(res.status).toBe(429);
    expect(res.body).toEqual(throttled(1));
    expect((await me(PASSWORD, '198.51.100.10')).status).toBe(200);
  });

  it('counts in the shared store: two instances over one database share the windows', async () => {
    const dir = tempProject();
    const url = `sqlite:${join(dir, 'shared.db')}`;
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const open = (): Promise<Stores> => openStores({ database: url });
    const config: Partial<GatehouseConfigInput> = {
      authentication: ['jwt'],
      throttle: { ...OFF, loginUsername: '4/min' },
    };
    const storesA = await open();
    const storesB = await open();
    try {
      const a = await makeGatehouse(config, { stores: storesA, clock });
      const b = await makeGatehouse(config, { stores: storesB, clock });
      await a.user('alice', PASSWORD);
      const obtain = (on: typeof a) =>
        on.call('POST', '/api/token/', { body: { username: 'alice', password: PASSWORD } });
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await obtain(i % 2 ? b : a)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all([storesA.close(), storesB.close()]);
    }
  });

  it('turns off with null rates and backoffAfter 0', async () => {
    const t = await setup({ backoffAfter: 0 });
    for (let i = 0; i < 30; i++) {
      expect((await LOGINS['POST /api/token/']!(t, 'alice', 'guess', '198.51.100.1')).status).toBe(401);
    }
  });
});

describe('refresh and register throttling', () => {
  it('refresh: per ip, refused before the refresh token is spent', async () => {
    const t = await setup({ refresh: '2/min' });
    const pair = (await LOGINS['POST /api/token/']!(t, 'alice', PASSWORD, '127.0.0.1')).body as {
      refresh: string;
    };
    const refresh = (token: string, ip = '198.51.100.1') =>
      t.call('POST', '/api/token/refresh/', { body: { refresh: token }, ip });
    expect((await refresh('not-a-token')).status).toBe(401);
    expect((await refresh('not-a-token')).status).toBe(401);
    const res = await refresh(pair.refresh);
    expect(res.status).toBe(429);
    expect(res.body).toEqual(throttled(60));
    // The refused request did not spend it: it still refreshes (no reuse detected).
    expect((await refresh(pair.refresh, '198.51.100.2')).status).toBe(200);
  });

  it('register: per ip', async () => {
    const t = await setup({ register: '2/hour' });
    const register = (username: string, ip = '198.51.100.1') =>
      t.call('POST', '/api/auth/register/', {
        body: { username, password: 'a long enough passphrase 123' },
        ip,
      });
    expect((await register('u1')).status).toBe(201);
    expect((await register('u2')).status).toBe(201);
    const res = await register('u3');
    expect(res.status).toBe(429);
    expect(res.body).toEqual(throttled(3600));
    expect(res.headers['retry-after']).toBe('3600');
    expect(await t.stores.users.findByUsername('u3')).toBeNull();
    expect((await register('u3', '198.51.100.2')).status).toBe(201);
  });
});
