import type { GatehouseConfigInput } from '../../src/core/config.js';
import type { UserRecord } from '../../src/stores/types.js';
import { type CallOptions, makeGatehouse, type TestGatehouse, type TestResponse } from './gatehouse.js';

export const PASSWORD = 'correct horse battery staple';
export const HOST = 'api.example.com';
export const ORIGIN = `http://${HOST}`;

/** A browser's view of its cookies for one host: name → value, updated from Set-Cookie. */
export class CookieJar {
  readonly values = new Map<string, string>();

  /** Applies a response's Set-Cookie headers: Max-Age=0 removes a cookie. */
  take(res: TestResponse): this {
    for (const line of res.cookies) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = decodeURIComponent(pair!.slice(eq + 1));
      if (/;\s*Max-Age=0/i.test(line)) this.values.delete(name);
      else this.values.set(name, value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }
}

export interface SessionTestGatehouse extends TestGatehouse {
  alice: UserRecord;
  /** A call as a same-origin page would make it: Host, Origin on unsafe methods, the jar's cookies. */
  browser(
    jar: CookieJar,
    method: string,
    url: string,
    opts?: CallOptions & { csrf?: boolean },
  ): Promise<TestResponse>;
  /** GET /api/auth/csrf/ then POST /api/auth/login/; returns the jar holding the cookies. */
  login(username?: string, jar?: CookieJar): Promise<CookieJar>;
}

/**
 * A gatehouse with the session scheme first and a user `alice`, and a browser-like caller.
 *
 * @example
 * const t = await sessionGatehouse();
 * const jar = await t.login();
 * await t.browser(jar, 'GET', '/api/me/');
 */
export async function sessionGatehouse(
  overrides: Partial<GatehouseConfigInput> = {},
): Promise<SessionTestGatehouse> {
  const t = await makeGatehouse({ authentication: ['session', 'token'], ...overrides });
  const alice = await t.user('alice', PASSWORD);
  const browser: SessionTestGatehouse['browser'] = async (jar, method, url, opts = {}) => {
    const headers: Record<string, string> = { host: HOST, ...opts.headers };
    const unsafe = !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method);
    if (unsafe && !('origin' in headers)) headers.origin = opts.secure ? `https://${HOST}` : ORIGIN;
    if (unsafe && opts.csrf !== false && jar.get('csrftoken'))
      headers['x-csrftoken'] ??= jar.get('csrftoken')!;
    const cookie = jar.header();
    if (cookie && !('cookie' in headers)) headers.cookie = cookie;
    const res = await t.call(method, url, { ...opts, headers });
    jar.take(res);
    return res;
  };
  return {
    ...t,
    alice,
    browser,
    async login(username = 'alice', jar = new CookieJar()) {
      await browser(jar, 'GET', '/api/auth/csrf/');
      const res = await browser(jar, 'POST', '/api/auth/login/', { body: { username, password: PASSWORD } });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return jar;
    },
  };
}
