import { describe, expect, it } from 'vitest';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { makeGatehouse } from '../helpers/gatehouse.js';
import { CookieJar, HOST, ORIGIN, PASSWORD } from '../helpers/session.js';

// With jwt.cookie, logout's answer removes the JWT cookies: a page on another site must not be
// able to sign a browser out by posting to it (logout CSRF).

async function setup(authentication: GatehouseConfigInput['authentication']) {
  const t = await makeGatehouse({ authentication, jwt: { cookie: true } });
  await t.user('alice', PASSWORD);
  /** A browser call: the jar's cookies, Origin on POST, the CSRF header unless told otherwise. */
  const browser = async (
    jar: CookieJar,
    method: string,
    url: string,
    opts: { origin?: string; csrf?: boolean; body?: unknown } = {},
  ) => {
    const headers: Record<string, string> = { host: HOST };
    if (method === 'POST') headers.origin = opts.origin ?? ORIGIN;
    if (method === 'POST' && opts.csrf !== false && jar.get('csrftoken'))
      headers['x-csrftoken'] = jar.get('csrftoken')!;
    if (jar.header()) headers.cookie = jar.header();
    const res = await t.call(method, url, { headers, body: opts.body });
    jar.take(res);
    return res;
  };
  const jar = new CookieJar();
  await browser(jar, 'GET', '/api/auth/csrf/');
  expect(
    (
      await browser(jar, 'POST', '/api/token/', {
        body: { username: 'alice', password: PASSWORD },
        csrf: false,
      })
    ).status,
  ).toBe(200);
  return { t, jar, browser };
}

const cleared = (res: { cookies: string[] }) =>
  res.cookies.filter((c) => /^jwt-(access|refresh)=.*Max-Age=0/i.test(c)).length;

describe.each([
  ['jwt, token', ['jwt', 'token']],
  ['session, jwt, token', ['session', 'jwt', 'token']],
] as const)('POST /api/auth/logout/ with jwt.cookie (%s)', (_name, authentication) => {
  it('refuses a cross-site post, with or without the cookies, and clears nothing', async () => {
    const { t, jar, browser } = await setup([...authentication]);
    // A top-level form post from another site: SameSite=Lax keeps the cookies home.
    const bare = await t.call('POST', '/api/auth/logout/', {
      headers: { host: HOST, origin: 'https://evil.example' },
    });
    expect(bare.status).toBe(403);
    expect(cleared(bare)).toBe(0);
    // With the cookies (a same-site attacker page) but no CSRF token.
    const forged = await browser(jar, 'POST', '/api/auth/logout/', {
      origin: 'https://evil.example',
      csrf: false,
    });
    expect(forged.status).toBe(403);
    expect(cleared(forged)).toBe(0);
    expect(jar.get('jwt-access')).toBeDefined();
    expect((await browser(jar, 'GET', '/api/me/')).status).toBe(200);
  });

  it('a same-origin logout with the CSRF token clears the cookies', async () => {
    const { jar, browser } = await setup([...authentication]);
    const res = await browser(jar, 'POST', '/api/auth/logout/');
    expect(res.status).toBe(204);
    expect(cleared(res)).toBe(2);
    expect(jar.get('jwt-access')).toBeUndefined();
  });

  it('a client signed in by its Authorization header needs no CSRF token', async () => {
    const { t } = await setup([...authentication]);
    const { token } = (
      await t.call('POST', '/api-token-auth/', { body: { username: 'alice', password: PASSWORD } })
    ).body as { token: string };
    const res = await t.call('POST', '/api/auth/logout/', { headers: { authorization: `Token ${token}` } });
    expect(res.status).toBe(204);
  });
});
