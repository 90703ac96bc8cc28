import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import type { TestResponse } from '../helpers/gatehouse.js';
import { CookieJar, PASSWORD, type SessionTestGatehouse, sessionGatehouse } from '../helpers/session.js';
import { type HardeningServer, startHardeningServer, THROTTLE_OFF } from './server.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Holds the next call of `obj[method]` until released: the test can run something else while
 * a request is provably in the middle of its work.
 */
function pauseNext<T extends object, K extends keyof T>(obj: T, method: K) {
  const original = (obj[method] as (...args: unknown[]) => Promise<unknown>).bind(obj);
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const arrived = new Promise<void>((r) => {
    reached = r;
  });
  vi.spyOn(obj, method as never).mockImplementationOnce((async (...args: unknown[]) => {
    reached();
    await gate;
    return original(...args);
  }) as never);
  return { arrived, release };
}

async function setup(extra: Partial<GatehouseConfigInput> = {}) {
  return sessionGatehouse({ authentication: ['session', 'token', 'jwt'], throttle: THROTTLE_OFF, ...extra });
}

const creds = { username: 'alice', password: PASSWORD };

/** A credential for alice made before the race, to call logout-all and revoke with. */
async function apiKey(t: SessionTestGatehouse): Promise<string> {
  return ((await t.call('POST', '/api-token-auth/', { body: creds })).body as { token: string }).token;
}

/** Whether what a login answered still gets its holder in. */
async function stillIn(t: SessionTestGatehouse, res: TestResponse, jar: CookieJar): Promise<boolean> {
  const body = res.body as Record<string, string>;
  const headers: Record<string, string> = {};
  if (body.access) headers.authorization = `Bearer ${body.access}`;
  else if (body.token) headers.authorization = `Token ${body.token}`;
  else if (body.key) headers.authorization = `Token ${body.key}`;
  if (headers.authorization) return (await t.call('GET', '/api/me/', { headers })).status === 200;
  return (await t.browser(jar, 'GET', '/api/me/')).status === 200;
}

type Login = (t: SessionTestGatehouse, jar: CookieJar) => Promise<TestResponse>;
const LOGINS: Record<string, Login> = {
  'JWT obtain': (t) => t.call('POST', '/api/token/', { body: creds }),
  'API token obtain': (t) => t.call('POST', '/api-token-auth/', { body: creds }),
  'session login': async (t, jar) => {
    await t.browser(jar, 'GET', '/api/auth/csrf/');
    return t.browser(jar, 'POST', '/api/auth/login/', { body: creds });
  },
};

describe.each(Object.entries(LOGINS))('%s racing the end of every credential', (_name, login) => {
  it('a login whose password was checked before a logout-everywhere gets nothing that outlives it', async () => {
    const t = await setup();
    const key = await apiKey(t);
    const jar = new CookieJar();
    // The login is held right after it read alice (argon2 is where real logins spend their time).
    const held = pauseNext(t.gh.ctx.passwords, 'verify');
    const pending = login(t, jar);
    await held.arrived;
    t.clock.advance('1s');
    const out = await t.call('POST', '/api/auth/logout-all/', { headers: { authorization: `Token ${key}` } });
    expect(out.status).toBe(204);
    held.release();
    const res = await pending;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await stillIn(t, res, jar)).toBe(false);
    expect(await t.stores.apiTokens.listForUser(t.alice.id)).toEqual([]);
    expect(await t.stores.sessions.listForUser(t.alice.id)).toEqual([]);
    const failed = (await t.stores.audit.list({ limit: 5 })).find((e) => e.event === 'login_failed');
    expect(failed?.detail).toMatchObject({ reason: 'credentials_ended' });
    // And a login after it is fine.
    const after = new CookieJar();
    expect(await stillIn(t, await login(t, after), after)).toBe(true);
  });

  it('a login with the old password, checked before a password change, is refused after it', async () => {
    const t = await setup();
    const owner = await t.login();
    const jar = new CookieJar();
    const held = pauseNext(t.gh.ctx.passwords, 'verify');
    const pending = login(t, jar);
    await held.arrived;
    const changed = await t.browser(owner, 'POST', '/api/auth/password/', {
      body: { old_password: PASSWORD, new_password: 'the owner’s new passphrase 42' },
    });
    expect(changed.status).toBe(200);
    held.release();
    const res = await pending;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await stillIn(t, res, jar)).toBe(false);
    expect((await t.browser(owner, 'GET', '/api/me/')).status).toBe(200);
  });
});

describe('revoking a credential while a request made with it is in flight', () => {
  it('a token revoked while it is creating another: the new one is refused and removed', async () => {
    const t = await setup();
    const stolen = await apiKey(t);
    const owner = await apiKey(t);
    const stolenId = (await t.stores.apiTokens.listForUser(t.alice.id)).find((r) =>
      stolen.startsWith(r.prefix),
    )!.id;
    const held = pauseNext(t.stores.apiTokens, 'createRetiringLeastRecent');
    const pending = t.call('POST', '/api/auth/tokens/', {
      headers: { authorization: `Token ${stolen}` },
      body: { name: 'persistence' },
    });
    await held.arrived;
    const revoked = await t.call('DELETE', `/api/auth/tokens/${stolenId}/`, {
      headers: { authorization: `Token ${owner}` },
    });
    expect(revoked.status).toBe(204);
    held.release();
    const res = await pending;
    // Refused by the token scheme (revoked while it minted): 401 with its challenge, session first
    // or not.
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Token');
    expect(await stillIn(t, res, new CookieJar())).toBe(false);
    const names = (await t.stores.apiTokens.listForUser(t.alice.id)).map((r) => r.name);
    expect(names).not.toContain('persistence');
  });

  it('a session revoked from another device while it rotates a token: the rotation is undone', async () => {
    const t = await setup();
    const thief = await t.login();
    const owner = await t.login();
    const key = await apiKey(t);
    const tokenId = (await t.stores.apiTokens.listForUser(t.alice.id))[0]!.id;
    const sessions = (await t.browser(owner, 'GET', '/api/auth/sessions/')).body as Array<{
      id: string;
      current: boolean;
    }>;
    const thiefSession = sessions.find((s) => !s.current)!.id;
    const held = pauseNext(t.stores.apiTokens, 'createWithinLimit');
    const pending = t.browser(thief, 'POST', `/api/auth/tokens/${tokenId}/rotate/`);
    await held.arrived;
    expect((await t.browser(owner, 'DELETE', `/api/auth/sessions/${thiefSession}/`)).status).toBe(204);
    held.release();
    const res = await pending;
    expect(res.status).toBe(403);
    expect(await stillIn(t, res, new CookieJar())).toBe(false);
    // The rotation was undone whole: the old key still works, no new one exists.
    expect((await t.call('GET', '/api/me/', { headers: { authorization: `Token ${key}` } })).status).toBe(
      200,
    );
    expect(await t.stores.apiTokens.listForUser(t.alice.id)).toHaveLength(1);
  });

  it('a refresh in flight during a logout-everywhere hands out nothing that works', async () => {
    const t = await setup();
    const key = await apiKey(t);
    const pair = (await t.call('POST', '/api/token/', { body: creds })).body as { refresh: string };
    // The refresh has read alice (no cutoff yet) and is about to spend its token (rotate)…
    const refreshing = pauseNext(t.stores.jwtState, 'rotate');
    const pending = t.call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } });
    await refreshing.arrived;
    t.clock.advance('1s');
    // …while the logout has set its cutoff and not yet revoked the families.
    const revoking = pauseNext(t.stores.jwtState, 'revokeAllForUser');
    const out = t.call('POST', '/api/auth/logout-all/', { headers: { authorization: `Token ${key}` } });
    await revoking.arrived;
    refreshing.release();
    const res = await pending;
    revoking.release();
    expect((await out).status).toBe(204);
    expect(res.status).toBe(401);
    expect(await stillIn(t, res, new CookieJar())).toBe(false);
  });
});

describe('concurrent token creation against tokens.maxPerUser', () => {
  it('in process: 30 creations at once leave exactly the limit', async () => {
    const t = await setup({ tokens: { maxPerUser: 5, atLimit: 'refuse' } });
    const key = await apiKey(t);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.call('POST', '/api/auth/tokens/', { headers: { authorization: `Token ${key}` }, body: {} }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    expect(statuses.filter((s) => s === 403)).toHaveLength(26);
    expect(await t.stores.apiTokens.listForUser(t.alice.id)).toHaveLength(5);
  });

  describe('over HTTP on SQLite', () => {
    let s: HardeningServer | undefined;
    afterEach(async () => {
      await s?.close();
      s = undefined;
    });

    it('30 obtains at once from 30 connections leave exactly the limit', async () => {
      s = await startHardeningServer({
        throttle: THROTTLE_OFF,
        tokens: { maxPerUser: 4, atLimit: 'refuse' },
      });
      const obtain = () =>
        fetch(`${s!.origin}/api-token-auth/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify(creds),
        });
      const statuses = (await Promise.all(Array.from({ length: 30 }, obtain))).map((r) => r.status);
      expect(statuses.filter((x) => x === 200)).toHaveLength(4);
      expect(statuses.filter((x) => x === 403)).toHaveLength(26);
      expect(await s.gh.ctx.stores.apiTokens.listForUser(1)).toHaveLength(4);
    });
  });
});
