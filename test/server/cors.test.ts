import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { createUser } from '../../src/core/users.js';
import { buildServer, type Server } from '../../src/server/app.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';

const SPA = 'http://localhost:5173';
const PASSWORD = 'correct horse battery staple';

/** A browser's cookie jar for one site, enough for this flow. */
class Jar {
  private cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value) this.cookies.set(pair!.slice(0, eq), value);
      else this.cookies.delete(pair!.slice(0, eq));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describe('server.cors: a SPA on another origin', () => {
  let server: Server;
  let api: string;

  beforeAll(async () => {
    // The config docs/spa.md shows, on plain HTTP for the test (Secure needs HTTPS).
    const config = resolveConfig({
      secretKey: TEST_SECRET,
      authentication: ['session', 'jwt'],
      server: { cors: { origins: [SPA, 'https://*.example.com'], credentials: true } },
      sessions: { cookieSameSite: 'None' },
      csrf: { cookieSameSite: 'None' },
      passwords: { argon2: FAST_HASHING },
    });
    server = await buildServer({ config, stores: createMemoryStores(), logger: false });
    await createUser(server.gh.ctx, { username: 'ada', password: PASSWORD });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    api = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server?.app.close();
  });

  it('answers the preflight of an allowed origin, with the CSRF header allowed', async () => {
    const res = await fetch(`${api}/api/auth/login/`, {
      method: 'OPTIONS',
      headers: {
        origin: SPA,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrftoken',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-csrftoken');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('matches a wildcard subdomain, and allows no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${api}/api/me/`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe(
      'https://app.example.com',
    );
    const other = await preflight('https://evil.example.org');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('runs the credentialed flow of docs/spa.md: csrf, login, csrf again, me, logout', async () => {
    const jar = new Jar();
    const call = async (method: string, path: string, csrfToken: string, body?: unknown) => {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: {
          origin: SPA,
          cookie: jar.header(),
          'content-type': 'application/json',
          'x-csrftoken': csrfToken,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      jar.take(res);
      // A browser hands the page the answer only with these two.
      expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      return res;
    };
    const token = async () =>
      ((await (await call('GET', '/api/auth/csrf/', '')).json()) as { csrfToken: string }).csrfToken;

    const login = await call('POST', '/api/auth/login/', await token(), {
      username: 'ada',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().join('\n')).toMatch(/sessionid=.*SameSite=None/i);
    const csrfToken = await token(); // login rotated the CSRF secret
    const me = await call('GET', '/api/me/', csrfToken);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'ada', auth: 'session' });
    expect((await call('POST', '/api/auth/logout/', csrfToken)).status).toBe(204);
  });

  it('still refuses an unsafe cookie request from an origin that is not listed (CSRF)', async () => {
    const jar = new Jar();
    const csrf = await fetch(`${api}/api/auth/csrf/`);
    jar.take(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await fetch(`${api}/api/auth/login/`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example.org',
        cookie: jar.header(),
        'content-type': 'application/json',
        'x-csrftoken': csrfToken,
      },
      body: JSON.stringify({ username: 'ada', password: PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
