import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { decode, type JwtTestGatehouse, jwtGatehouse, type Pair } from '../../../test/helpers/jwt.js';
import { CookieJar, HOST, ORIGIN, PASSWORD } from '../../../test/helpers/session.js';
import { createGatehouse } from '../../contract/gatehouse.js';
import { resolveConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { createMemoryStores } from '../../stores/memory/index.js';
import type { JwtStateStore } from '../../stores/types.js';

const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };

const refresh = (t: JwtTestGatehouse, token: string) =>
  t.call('POST', '/api/token/refresh/', { body: { refresh: token } });
const events = async (t: JwtTestGatehouse, name: string) =>
  (await t.stores.audit.list({ limit: 200 })).filter((e) => e.event === name);

describe('jwt.reuseGraceSeconds: a spent refresh token presented again inside the window', () => {
  it('gets the same successor (same jti, same exp) and a fresh access token, audited as refresh_replayed', async () => {
    const t = await jwtGatehouse();
    const first = await t.login();
    t.clock.advance('1s');
    const won = (await refresh(t, first.refresh)).body as Pair;
    t.clock.advance(9_999); // ms: still inside the default 10 s
    const replay = await refresh(t, first.refresh);
    expect(replay.status).toBe(200);
    const again = replay.body as Pair;
    // HS256 is deterministic: the very same token. The claims are what any algorithm keeps.
    expect(again.refresh).toBe(won.refresh);
    expect(decode(again.refresh).payload).toEqual(decode(won.refresh).payload);
    expect(decode(again.access).payload.jti).not.toBe(decode(won.access).payload.jti);
    expect((await t.me(again.access)).status).toBe(200);
    expect(await events(t, 'refresh_replayed')).toEqual([
      expect.objectContaining({ userId: t.alice.id, scheme: 'jwt', detail: expect.any(Object) }),
    ]);
    expect(JSON.stringify(await events(t, 'refresh_replayed'))).not.toContain(first.refresh);
    expect(await events(t, 'refresh_reuse_detected')).toEqual([]);
    // One chain: the successor rotates like any outstanding token, and the family lives on.
    const next = await refresh(t, won.refresh);
    expect(next.status).toBe(200);
    expect((await refresh(t, (next.body as Pair).refresh)).status).toBe(200);
  });

  it('is reuse once the window has passed: 401 and the family ends', async () => {
    const t = await jwtGatehouse();
    const first = await t.login();
    const won = (await refresh(t, first.refresh)).body as Pair;
    t.clock.advance('10s');
    const late = await refresh(t, first.refresh);
    expect(late.status).toBe(401);
    expect(late.body).toEqual(BLACKLISTED);
    expect((await refresh(t, won.refresh)).body).toEqual(BLACKLISTED);
    expect(await events(t, 'refresh_reuse_detected')).toHaveLength(1);
    expect(await events(t, 'refresh_replayed')).toEqual([]);
  });

  it('is reuse, even inside the window, once the successor has been spent: whoever holds the other copy is exposed', async () => {
    const t = await jwtGatehouse();
    const first = await t.login();
    const won = (await refresh(t, first.refresh)).body as Pair;
    const third = (await refresh(t, won.refresh)).body as Pair;
    expect((await refresh(t, first.refresh)).body).toEqual(BLACKLISTED);
    expect((await refresh(t, third.refresh)).body).toEqual(BLACKLISTED);
    expect(await events(t, 'refresh_reuse_detected')).toHaveLength(1);
  });

  it('0 keeps strict reuse detection: the second presentation revokes the family at once', async () => {
    const t = await jwtGatehouse({ reuseGraceSeconds: 0 });
    const first = await t.login();
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(t, first.refresh)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(19);
    const won = results.find((r) => r.status === 200)?.body as Pair;
    expect((await refresh(t, won.refresh)).body).toEqual(BLACKLISTED);
    expect(await events(t, 'refresh_replayed')).toEqual([]);
  });

  it('replays the same claims with an algorithm whose signatures differ (ES256)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signingKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const t = await jwtGatehouse({ algorithm: 'ES256', signingKey });
    const first = await t.login();
    const won = (await refresh(t, first.refresh)).body as Pair;
    const again = (await refresh(t, first.refresh)).body as Pair;
    expect(decode(again.refresh).payload).toEqual(decode(won.refresh).payload);
    expect((await refresh(t, again.refresh)).status).toBe(200);
  });

  it('without blacklistAfterRotation: the same successor inside the window, a new one after (simplejwt)', async () => {
    const t = await jwtGatehouse({ blacklistAfterRotation: false });
    const first = await t.login();
    const won = (await refresh(t, first.refresh)).body as Pair;
    expect(((await refresh(t, first.refresh)).body as Pair).refresh).toBe(won.refresh);
    t.clock.advance('10s');
    const later = await refresh(t, first.refresh);
    expect(later.status).toBe(200);
    expect(decode((later.body as Pair).refresh).payload.jti).not.toBe(decode(won.refresh).payload.jti);
  });

  it('is validated at start-up: a number of seconds from 0 to 60', () => {
    const secretKey = 'x'.repeat(40);
    expect(resolveConfig({ secretKey }).jwt.reuseGraceSeconds).toBe(10);
    expect(resolveConfig({ secretKey, jwt: { reuseGraceSeconds: 0 } }).jwt.reuseGraceSeconds).toBe(0);
    expect(resolveConfig({ secretKey, jwt: { reuseGraceSeconds: 2.5 } }).jwt.reuseGraceSeconds).toBe(2.5);
    for (const wrong of [-1, 61, '10', null, Number.NaN]) {
      const input = { secretKey, jwt: { reuseGraceSeconds: wrong as number } };
      expect(() => resolveConfig(input)).toThrow(ConfigError);
      expect(() => resolveConfig(input)).toThrow(
        `jwt.reuseGraceSeconds: expected a number of seconds from 0 to 60, got ${JSON.stringify(wrong)}`,
      );
    }
  });
});

describe('tabs of one browser refreshing at once with jwt.cookie', () => {
  it('every response sets the same refresh cookie, none clears one, and the login lives on', async () => {
    const t = await makeGatehouse({ authentication: ['session', 'jwt'], jwt: { cookie: true } });
    await t.user('alice', PASSWORD);
    const jar = new CookieJar();
    const browser = (method: string, url: string, body?: unknown) => {
      const headers: Record<string, string> = { host: HOST, cookie: jar.header() };
      if (method !== 'GET') headers.origin = ORIGIN;
      if (method !== 'GET' && jar.get('csrftoken')) headers['x-csrftoken'] = jar.get('csrftoken') as string;
      return t.call(method, url, { body, headers });
    };
    jar.take(await browser('GET', '/api/auth/csrf/'));
    jar.take(await browser('POST', '/api/token/', { username: 'alice', password: PASSWORD }));
    const before = jar.get('jwt-refresh');
    // Every tab sends the cookie it has: the same one.
    const tabs = await Promise.all(Array.from({ length: 20 }, () => browser('POST', '/api/token/refresh/')));
    expect(tabs.map((r) => r.status)).toEqual(Array(20).fill(200));
    const refreshCookies = new Set(tabs.map((r) => r.cookies.find((c) => c.startsWith('jwt-refresh='))));
    expect(refreshCookies.size).toBe(1);
    expect(tabs.flatMap((r) => r.cookies).some((c) => /Max-Age=0/i.test(c))).toBe(false);
    for (const r of tabs) jar.take(r);
    expect(jar.get('jwt-refresh')).not.toBe(before);
    expect((await browser('GET', '/api/me/')).status).toBe(200);
    expect((await browser('POST', '/api/token/refresh/')).status).toBe(200);
  });
});

describe("an app's own JwtStateStore without rotate()", () => {
  it('still rotates (spend, then record), with strict reuse detection, and says at start-up why', async () => {
    const stores = createMemoryStores();
    const { rotate: _dropped, ...withoutRotate } = stores.jwtState;
    const own: JwtStateStore = withoutRotate;
    const warnings: string[] = [];
    const logger: Logger = {
      error() {},
      info() {},
      debug() {},
      warn: (_obj, msg) => warnings.push(msg ?? ''),
    };
    const base = await makeGatehouse({ authentication: ['jwt'] }, { stores: { ...stores, jwtState: own } });
    createGatehouse({
      config: base.gh.ctx.config,
      stores: base.stores,
      clock: base.clock,
      passwords: base.gh.ctx.passwords,
      logger,
    });
    expect(warnings).toEqual([expect.stringContaining('jwt.reuseGraceSeconds')]);
    const t = await jwtGatehouse({}, {}, { stores: { ...stores, jwtState: own } });
    const first = await t.login();
    const won = await refresh(t, first.refresh);
    expect(won.status).toBe(200);
    expect((await refresh(t, first.refresh)).body).toEqual(BLACKLISTED);
    expect((await refresh(t, (won.body as Pair).refresh)).body).toEqual(BLACKLISTED);
  });
});
