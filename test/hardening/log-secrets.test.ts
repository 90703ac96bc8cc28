import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../helpers/gatehouse.js';
import { type HardeningServer, PASSWORD, startHardeningServer } from './server.js';

/**
 * A full run of every flow against a server logging at `trace`, then a grep of everything it
 * logged for each secret the run used: passwords (right and wrong), API keys, JWTs, session ids
 * and CSRF secrets. Logs end up in places with weaker protection than the database.
 */
describe('no secret in the logs of a full run', () => {
  let s: HardeningServer;
  const secrets = new Set<string>();
  const keep = (...values: Array<string | undefined>) => {
    for (const v of values) if (v) secrets.add(v);
  };

  beforeAll(async () => {
    s = await startHardeningServer({ signup: true }, { logs: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Every Set-Cookie value (the secret part) of a response, kept as a secret. */
  const cookiesOf = (res: Response): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = decodeURIComponent(pair!.slice(eq + 1));
      out[pair!.slice(0, eq)] = value;
      if (value) keep(value);
    }
    return out;
  };

  const call = async (
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${s.origin}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'user-agent': 'LogGrep/1.0', ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { res, status: res.status, body: text ? (JSON.parse(text) as Record<string, string>) : {} };
  };

  it('runs register, every login, tokens, refresh, Basic, sessions, password change and logout-all', async () => {
    const wrong = 'wrong-password-Zq8r-guess';
    const newPassword = 'a-new-passphrase-Hk3v-0192';
    const bobPassword = 'bobs-passphrase-Pm5t-7734';
    keep(PASSWORD, wrong, newPassword, bobPassword);

    expect(
      (await call('POST', '/api/auth/register/', { body: { username: 'bob', password: bobPassword } }))
        .status,
    ).toBe(201);
    // A weak password is refused: the refusal must not echo it into a log either.
    const weak = 'qwerty123-Weak';
    keep(weak);
    await call('POST', '/api/auth/register/', { body: { username: 'carol', password: weak } });

    // JWT: a failure, a pair, a refresh (rotation), verify, a replay (reuse detection), blacklist.
    expect((await call('POST', '/api/token/', { body: { username: 'alice', password: wrong } })).status).toBe(
      401,
    );
    const pair = (await call('POST', '/api/token/', { body: { username: 'alice', password: PASSWORD } }))
      .body;
    keep(pair.access, pair.refresh);
    const rotated = (await call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).body;
    keep(rotated.access, rotated.refresh);
    await call('POST', '/api/token/verify/', { body: { token: rotated.access } });
    // Once its successor is spent too, the first one again is reuse (inside the grace window it
    // would get that successor).
    const third = (await call('POST', '/api/token/refresh/', { body: { refresh: rotated.refresh } })).body;
    keep(third.access, third.refresh);
    expect((await call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).status).toBe(401);
    const second = (await call('POST', '/api/token/', { body: { username: 'bob', password: bobPassword } }))
      .body;
    keep(second.access, second.refresh);
    await call('POST', '/api/token/blacklist/', { body: { refresh: second.refresh } });
    await call('GET', '/api/me/', { headers: { authorization: `Bearer ${second.access}x` } });

    // API tokens: obtain (and a failure), create, list, use, rotate, revoke, a forged one.
    await call('POST', '/api-token-auth/', { body: { username: 'alice', password: wrong } });
    const key = (await call('POST', '/api-token-auth/', { body: { username: 'alice', password: PASSWORD } }))
      .body.token!;
    keep(key);
    const auth = { authorization: `Token ${key}` };
    const made = (await call('POST', '/api/auth/tokens/', { headers: auth, body: { name: 'ci' } })).body;
    keep(made.key);
    await call('GET', '/api/auth/tokens/', { headers: auth });
    const turned = (await call('POST', `/api/auth/tokens/${made.id}/rotate/`, { headers: auth })).body;
    keep(turned.key);
    await call('DELETE', `/api/auth/tokens/${turned.id}/`, { headers: auth });
    const forged = `${key.slice(0, -4)}AAAA`;
    keep(forged);
    await call('GET', '/api/me/', { headers: { authorization: `Token ${forged}` } });

    // Basic, right and wrong.
    expect(
      (await call('GET', '/api/me/', { headers: { authorization: basicAuth('alice', PASSWORD) } })).status,
    ).toBe(200);
    await call('GET', '/api/me/', { headers: { authorization: basicAuth('alice', wrong) } });
    keep(basicAuth('alice', PASSWORD).slice(6), basicAuth('alice', wrong).slice(6));

    // Sessions: CSRF, login, a request with the cookie, the password change, logout-all.
    const csrfRes = await call('GET', '/api/auth/csrf/');
    const csrfCookie = cookiesOf(csrfRes.res);
    keep(csrfRes.body.csrfToken);
    const browser = (cookies: Record<string, string>, csrf: string) => ({
      cookie: Object.entries(cookies)
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join('; '),
      'x-csrftoken': csrf,
      origin: s.origin,
    });
    await call('POST', '/api/auth/login/', {
      headers: browser(csrfCookie, csrfRes.body.csrfToken!),
      body: { username: 'alice', password: wrong },
    });
    const login = await call('POST', '/api/auth/login/', {
      headers: browser(csrfCookie, csrfRes.body.csrfToken!),
      body: { username: 'alice', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const jar = { ...csrfCookie, ...cookiesOf(login.res) };
    const fresh = (await call('GET', '/api/auth/csrf/', { headers: browser(jar, '') })).body.csrfToken!;
    keep(fresh);
    await call('GET', '/api/auth/sessions/', { headers: browser(jar, fresh) });
    const changed = await call('POST', '/api/auth/password/', {
      headers: browser(jar, fresh),
      body: { old_password: PASSWORD, new_password: newPassword },
    });
    expect(changed.status).toBe(200);
    await call('POST', '/api/auth/password/', {
      headers: browser(jar, fresh),
      body: { old_password: wrong, new_password: weak },
    });
    expect((await call('POST', '/api/auth/logout-all/', { headers: browser(jar, fresh) })).status).toBe(204);

    // Malformed input that errors out on the way (parse errors echo what they could not parse).
    await call('POST', '/api/token/', { body: undefined, headers: {} });
    await fetch(`${s.origin}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"username": "alice", "password": "${PASSWORD}"`,
    });

    const logs = s.logs();
    expect(logs.length).toBeGreaterThan(1000);
    // The log is alive: the audit events are in it.
    for (const event of [
      'login_succeeded',
      'login_failed',
      'token_created',
      'refresh_rotated',
      'password_changed',
      'logout_all',
    ]) {
      expect(logs).toContain(`"${event}"`);
    }
    const found = [...secrets].filter((secret) => logs.includes(secret));
    expect(found, 'secrets found in the logs').toEqual([]);
    // Tokens also never appear in part: a JWT's signature, an API key's secret half.
    for (const jwt of [pair.access, pair.refresh, rotated.refresh])
      expect(logs).not.toContain(jwt!.split('.')[2]);
    expect(logs).not.toContain(key.slice(-20));
  });
});
