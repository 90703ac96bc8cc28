import { describe, expect, it, vi } from 'vitest';
import { type CookieJar, HOST, PASSWORD, sessionGatehouse } from '../../../test/helpers/session.js';
import { createGatehouse } from '../../contract/gatehouse.js';
import { Router } from '../../contract/router.js';
import { sessionRoutes } from '../../contract/sessions/routes.js';
import type { Route, RouteFactory } from '../../contract/types.js';
import { isAuthenticated } from '../../core/permissions.js';
import { createAuthRequest } from '../../core/request.js';
import type { AuthResult } from '../../core/scheme.js';
import { StoreUnavailable } from '../../stores/errors.js';
import { SessionHandle } from './handle.js';
import { sessionScheme } from './scheme.js';

/** The session of a route's caller; the routes below are for sessions only. */
function sessionOf(auth: AuthResult | null): SessionHandle {
  if (auth?.scheme !== 'session') throw new Error('not a session request');
  return auth.auth;
}

const get = (cookie?: string, method = 'GET') =>
  createAuthRequest({ method, url: '/', headers: cookie ? { cookie, host: HOST } : { host: HOST } });

describe('sessionScheme', () => {
  it('is anonymous (null) without a cookie, with a malformed one, or an unknown one; no challenge', async () => {
    const t = await sessionGatehouse();
    const scheme = sessionScheme(t.gh.ctx, t.gh.services);
    const findByDigest = vi.spyOn(t.stores.sessions, 'findByDigest');
    expect(await scheme.authenticate(get())).toBeNull();
    expect(await scheme.authenticate(get('sessionid=short'))).toBeNull();
    expect(await scheme.authenticate(get(`sessionid=${'x'.repeat(200)}`))).toBeNull();
    // Malformed values never reach the store.
    expect(findByDigest).not.toHaveBeenCalled();
    expect(await scheme.authenticate(get(`sessionid=${'A'.repeat(43)}`))).toBeNull();
    expect(findByDigest).toHaveBeenCalledTimes(1);
    expect(scheme.challenge(get())).toBeNull();
  });

  it('checks CSRF only once the cookie names a user: an unknown cookie on a POST is simply anonymous', async () => {
    const t = await sessionGatehouse();
    const scheme = sessionScheme(t.gh.ctx, t.gh.services);
    expect(await scheme.authenticate(get(`sessionid=${'A'.repeat(43)}`, 'POST'))).toBeNull();
    const jar = await t.login();
    await expect(scheme.authenticate(get(jar.header(), 'POST'))).rejects.toMatchObject({
      status: 403,
      code: 'csrf_missing',
    });
  });

  it('answers the user and a session handle', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const result = await sessionScheme(t.gh.ctx, t.gh.services).authenticate(get(jar.header()));
    expect(result?.scheme).toBe('session');
    expect(result?.user.username).toBe('alice');
    const handle = result!.auth;
    expect(handle).toBeInstanceOf(SessionHandle);
    const [row] = await t.stores.sessions.listForUser(t.alice.id);
    expect(handle.id).toBe(row!.id);
    expect(handle.expiresAt).toBe(row!.expiresAt);
  });

  it('is live while its row is there; finish saves a bag the handler changed', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const scheme = sessionScheme(t.gh.ctx, t.gh.services);
    const result = (await scheme.authenticate(get(jar.header())))!;
    expect(await scheme.isLive!(result)).toBe(true);
    result.auth.set('theme', 'dark');
    await scheme.finish!(result);
    expect((await scheme.authenticate(get(jar.header())))!.auth.get('theme')).toBe('dark');
    await t.stores.sessions.deleteByDigest(result.auth.digest);
    expect(await scheme.isLive!(result)).toBe(false);
  });

  it('fails closed when the store is down (503 through the routes)', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    vi.spyOn(t.stores.sessions, 'findByDigest').mockRejectedValue(
      new StoreUnavailable('sessions', new Error('down')),
    );
    const res = await t.browser(jar, 'GET', '/api/me/');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'service_unavailable' });
  });

  it('writes last seen once for a burst of requests', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const touch = vi.spyOn(t.stores.sessions, 'touch');
    t.clock.advance('2m');
    await Promise.all(Array.from({ length: 5 }, () => t.browser(jar, 'GET', '/api/me/')));
    expect(touch).toHaveBeenCalledTimes(1);
  });
});

describe('the session bag', () => {
  /** A gatehouse with the session routes and two routes of an application that use the bag. */
  async function appGatehouse() {
    const t = await sessionGatehouse();
    const cart: RouteFactory = (): Route[] => [
      {
        method: 'POST',
        path: '/cart/',
        permission: isAuthenticated,
        async handler({ auth, body }) {
          const session = sessionOf(auth);
          const items = session.get<string[]>('cart') ?? [];
          session.set('cart', [...items, (body as { item: string }).item]);
          return { status: 204 };
        },
      },
      {
        method: 'GET',
        path: '/cart/',
        permission: isAuthenticated,
        async handler({ auth }) {
          return { status: 200, body: sessionOf(auth).get('cart') ?? [] };
        },
      },
    ];
    const gh = createGatehouse({
      config: t.gh.ctx.config,
      stores: t.stores,
      clock: t.clock,
      passwords: t.gh.ctx.passwords,
      routes: [sessionRoutes, cart],
    });
    const router = new Router(gh.routes);
    const call = async (jar: CookieJar, method: string, url: string, body?: unknown) => {
      const headers: Record<string, string> = { host: HOST, cookie: jar.header(), origin: `http://${HOST}` };
      if (jar.get('csrftoken')) headers['x-csrftoken'] = jar.get('csrftoken')!;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const req = createAuthRequest({ method, url, headers });
      const m = router.match(method, url);
      if (m.kind !== 'found') throw new Error('no route');
      return gh.handle(m.bound, {
        req,
        params: m.params,
        rawBody: body === undefined ? undefined : JSON.stringify(body),
      });
    };
    return { t, call };
  }

  it('is saved after the handler when changed, and only then', async () => {
    const { t, call } = await appGatehouse();
    const jar = await t.login();
    const saveData = vi.spyOn(t.stores.sessions, 'saveData');
    expect((await call(jar, 'POST', '/cart/', { item: 'tea' })).status).toBe(204);
    expect((await call(jar, 'POST', '/cart/', { item: 'milk' })).status).toBe(204);
    expect(saveData).toHaveBeenCalledTimes(2);
    expect((await call(jar, 'GET', '/cart/')).body).toEqual(['tea', 'milk']);
    expect(saveData).toHaveBeenCalledTimes(2);
  });

  it('survives a new login of the same user (the id changes, the bag stays), not of another', async () => {
    const { t, call } = await appGatehouse();
    const jar = await t.login();
    await call(jar, 'POST', '/cart/', { item: 'tea' });
    await t.login('alice', jar);
    expect((await call(jar, 'GET', '/cart/')).body).toEqual(['tea']);
    await t.user('bob', PASSWORD);
    await t.login('bob', jar);
    expect((await call(jar, 'GET', '/cart/')).body).toEqual([]);
  });

  it('holds copies of JSON values, bounded by sessions.maxDataBytes', async () => {
    const t = await sessionGatehouse({ sessions: { maxDataBytes: 64 } });
    const jar = await t.login();
    const result = await sessionScheme(t.gh.ctx, t.gh.services).authenticate(get(jar.header()));
    const session = result!.auth;
    const value = { a: [1, 2] };
    session.set('v', value);
    value.a.push(3);
    expect(session.get('v')).toEqual({ a: [1, 2] });
    expect(session.changed).toBe(true);
    expect(() => session.set('big', 'x'.repeat(100))).toThrow(RangeError);
    expect(session.has('big')).toBe(false);
    session.delete('v');
    expect(session.keys()).toEqual([]);
    await session.save();
    expect(session.changed).toBe(false);
    expect((await t.stores.sessions.findByDigest(session.digest))!.data).toEqual({});
  });
});
