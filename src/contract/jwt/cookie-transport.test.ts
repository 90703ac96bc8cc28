import { describe, expect, it } from 'vitest';
import { makeGatehouse, type TestResponse } from '../../../test/helpers/gatehouse.js';
import { CookieJar, HOST, ORIGIN, PASSWORD } from '../../../test/helpers/session.js';
import { type GatehouseConfigInput, resolveConfig } from '../../core/config.js';

const line = (res: TestResponse, name: string) => res.cookies.find((c) => c.startsWith(`${name}=`));
const credentials = { username: 'alice', password: PASSWORD };

/** A gatehouse with JWTs in cookies (and sessions unless told otherwise), a user, and a browser. */
async function cookieGatehouse(overrides: Partial<GatehouseConfigInput> = {}, cookie: unknown = true) {
  const t = await makeGatehouse({
    authentication: ['session', 'jwt', 'token'],
    ...overrides,
    jwt: { cookie: cookie as true },
  });
  const alice = await t.user('alice', PASSWORD);
  /** A same-origin browser request: Host, Origin on unsafe methods, the jar's cookies, the CSRF header. */
  const browser = async (
    jar: CookieJar,
    method: string,
    url: string,
    opts: { body?: unknown; headers?: Record<string, string>; csrf?: boolean; secure?: boolean } = {},
  ) => {
    const headers: Record<string, string> = { host: HOST, ...opts.headers };
    if (method !== 'GET' && !('origin' in headers)) headers.origin = ORIGIN;
    if (method !== 'GET' && opts.csrf !== false && jar.get('csrftoken'))
      headers['x-csrftoken'] = jar.get('csrftoken')!;
    if (jar.header()) headers.cookie = jar.header();
    const res = await t.call(method, url, { body: opts.body, headers, secure: opts.secure });
    jar.take(res);
    return res;
  };
  const obtain = async (jar = new CookieJar()) => {
    await browser(jar, 'GET', '/api/auth/csrf/');
    const res = await browser(jar, 'POST', '/api/token/', { body: credentials });
    expect(res.status).toBe(200);
    return { jar, res };
  };
  return { ...t, alice, browser, obtain };
}

describe('jwt.cookie settings', () => {
  const config = (cookie: unknown) =>
    resolveConfig({ secretKey: 's'.repeat(32), jwt: { cookie } } as GatehouseConfigInput).jwt.cookie;

  it('is off by default; true takes the defaults', () => {
    expect(config(undefined)).toBeNull();
    expect(config(false)).toBeNull();
    expect(config(true)).toEqual({
      accessName: 'jwt-access',
      refreshName: 'jwt-refresh',
      refreshPath: '/api/token/',
      domain: null,
      secure: 'auto',
      sameSite: 'Lax',
      refreshInBody: false,
    });
    expect(config({ refreshPath: '/api/token/refresh/' })).toMatchObject({
      refreshPath: '/api/token/refresh/',
    });
  });

  it.each([
    ['yes', 'jwt.cookie: expected true, false or an object of cookie settings'],
    [{ accessName: 'a', refreshName: 'a' }, 'jwt.cookie.refreshName: must differ from accessName'],
    [{ refreshPath: 'token' }, 'jwt.cookie.refreshPath: expected an absolute path'],
  ])('refuses %j naming the key', (cookie, message) => {
    expect(() => config(cookie)).toThrow(message);
  });
});

describe('JWTs in HttpOnly cookies', () => {
  it('are not set when jwt.cookie is off', async () => {
    const t = await cookieGatehouse({}, false);
    const res = await t.call('POST', '/api/token/', { body: credentials });
    expect(res.cookies).toEqual([]);
    expect(Object.keys(res.body as object).sort()).toEqual(['access', 'refresh']);
  });

  it('obtain sets the access cookie (Path=/) and the refresh cookie on the token path, both HttpOnly, Lax', async () => {
    const t = await cookieGatehouse();
    const { res } = await t.obtain();
    expect(line(res, 'jwt-access')).toMatch(
      /^jwt-access=[\w.-]+; Max-Age=900; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(line(res, 'jwt-refresh')).toMatch(
      /^jwt-refresh=[\w.-]+; Max-Age=604800; Path=\/api\/token\/; HttpOnly; SameSite=Lax$/,
    );
    // A script in the page never sees the refresh token (dj-rest-auth's JWT_AUTH_HTTPONLY).
    expect(Object.keys(res.body as object)).toEqual(['access']);
  });

  it('are Secure over HTTPS, and the refresh token can be in the body too when configured', async () => {
    const t = await cookieGatehouse({}, { refreshInBody: true, refreshPath: '/api/token/refresh/' });
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/', { secure: true });
    const res = await t.browser(jar, 'POST', '/api/token/', {
      body: credentials,
      secure: true,
      headers: { origin: `https://${HOST}` },
    });
    expect(line(res, 'jwt-access')).toContain('; Secure; HttpOnly');
    expect(line(res, 'jwt-refresh')).toContain('; Path=/api/token/refresh/; Secure; HttpOnly');
    expect(Object.keys(res.body as object).sort()).toEqual(['access', 'refresh']);
  });

  it('the jwt scheme accepts the access cookie', async () => {
    const t = await cookieGatehouse({ authentication: ['jwt'] });
    const { jar } = await t.obtain();
    expect((await t.browser(jar, 'GET', '/api/me/')).body).toMatchObject({ username: 'alice', auth: 'jwt' });
    const bad = await t.call('GET', '/api/me/', { headers: { cookie: 'jwt-access=not.a.token' } });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ code: 'token_not_valid' });
  });

  it('enforces CSRF for a cookie-carried token, never for the Authorization header', async () => {
    const t = await cookieGatehouse({ authentication: ['jwt'] });
    const { jar, res } = await t.obtain();
    const create = { name: 'x' };
    const missing = await t.browser(jar, 'POST', '/api/auth/tokens/', { body: create, csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ code: 'csrf_missing' });
    const foreign = await t.browser(jar, 'POST', '/api/auth/tokens/', {
      body: create,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.body).toMatchObject({ code: 'csrf_origin' });
    expect((await t.browser(jar, 'POST', '/api/auth/tokens/', { body: create })).status).toBe(201);
    const access = (res.body as { access: string }).access;
    const header = await t.call('POST', '/api/auth/tokens/', {
      body: create,
      headers: { authorization: `Bearer ${access}`, origin: 'https://evil.example', cookie: jar.header() },
    });
    expect(header.status).toBe(201);
  });

  it('refresh reads the refresh cookie under the CSRF checks, and rotates both cookies', async () => {
    const t = await cookieGatehouse();
    const { jar } = await t.obtain();
    const first = jar.get('jwt-refresh')!;
    const forged = await t.browser(jar, 'POST', '/api/token/refresh/', { csrf: false });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'csrf_missing' });
    const res = await t.browser(jar, 'POST', '/api/token/refresh/');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body as object)).toEqual(['access']);
    expect(jar.get('jwt-refresh')).not.toBe(first);
    expect(line(res, 'jwt-access')).toBeDefined();
    // The spent one, replayed past jwt.reuseGraceSeconds, is reuse: refused, and its family revoked.
    t.clock.advance('10s');
    const replay = await t.call('POST', '/api/token/refresh/', { body: { refresh: first } });
    expect(replay.status).toBe(401);
    expect((await t.browser(jar, 'POST', '/api/token/refresh/')).status).toBe(401);
  });

  it('refresh with the token in the body needs no CSRF token, and still sets the cookies', async () => {
    const t = await cookieGatehouse({}, { refreshInBody: true });
    const pair = (await t.call('POST', '/api/token/', { body: credentials })).body as { refresh: string };
    const res = await t.call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } });
    expect(res.status).toBe(200);
    expect(line(res, 'jwt-refresh')).toBeDefined();
    expect((await t.call('POST', '/api/token/refresh/', {})).body).toEqual({
      refresh: ['This field is required.'],
    });
  });

  it('obtain refuses a foreign Origin (login CSRF); a client without Origin is unaffected', async () => {
    const t = await cookieGatehouse();
    const foreign = await t.call('POST', '/api/token/', {
      body: credentials,
      headers: { host: HOST, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'csrf_origin' });
    expect((await t.call('POST', '/api/token/', { body: credentials })).status).toBe(200);
  });

  it('blacklist reads the refresh cookie, ends the login and clears both cookies', async () => {
    const t = await cookieGatehouse();
    const { jar } = await t.obtain();
    const refresh = jar.get('jwt-refresh')!;
    const res = await t.browser(jar, 'POST', '/api/token/blacklist/');
    expect(res.status).toBe(200);
    expect(line(res, 'jwt-access')).toContain('Max-Age=0');
    expect(line(res, 'jwt-refresh')).toMatch(/Max-Age=0; .*Path=\/api\/token\//);
    expect(jar.get('jwt-access')).toBeUndefined();
    expect((await t.call('POST', '/api/token/refresh/', { body: { refresh } })).status).toBe(401);
  });

  it('logout and logout-all clear the JWT cookies too', async () => {
    const t = await cookieGatehouse();
    const { jar } = await t.obtain();
    const all = await t.browser(jar, 'POST', '/api/auth/logout-all/');
    expect(all.status).toBe(204);
    expect(all.cookies.map((c) => c.split('=')[0]).sort()).toEqual([
      'jwt-access',
      'jwt-refresh',
      'sessionid',
    ]);
    // Clearing the cookies takes the CSRF check (no logout CSRF), even with nothing to end.
    const fresh = new CookieJar();
    await t.browser(fresh, 'GET', '/api/auth/csrf/');
    const logout = await t.browser(fresh, 'POST', '/api/auth/logout/');
    expect(logout.cookies.map((c) => c.split('=')[0]).sort()).toEqual([
      'jwt-access',
      'jwt-refresh',
      'sessionid',
    ]);
  });

  it('offer the CSRF route without the session scheme', async () => {
    const t = await cookieGatehouse({ authentication: ['jwt'] });
    expect((await t.call('GET', '/api/auth/csrf/')).status).toBe(200);
    expect((await t.call('POST', '/api/auth/login/')).status).toBe(404);
    const off = await cookieGatehouse({ authentication: ['jwt'] }, false);
    expect((await off.call('GET', '/api/auth/csrf/')).status).toBe(404);
  });
});
