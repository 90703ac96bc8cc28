import { describe, expect, it } from 'vitest';
import { CookieJar, HOST, PASSWORD, sessionGatehouse } from '../../../test/helpers/session.js';
import { changePassword } from '../../core/users.js';
import { sha256Hex } from '../../crypto/random.js';
import { buildOpenApi } from '../openapi.js';

const cookieLine = (cookies: string[], name: string) => cookies.find((c) => c.startsWith(`${name}=`));

describe('GET /api/auth/csrf/', () => {
  it('answers a masked token and sets the csrftoken cookie it masks', async () => {
    const t = await sessionGatehouse();
    const jar = new CookieJar();
    const res = await t.browser(jar, 'GET', '/api/auth/csrf/');
    expect(res.status).toBe(200);
    expect((res.body as { csrfToken: string }).csrfToken).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(jar.get('csrftoken')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    // A second call keeps the secret (open tabs keep working) and masks it anew.
    const again = await t.browser(jar, 'GET', '/api/auth/csrf/');
    expect(jar.get('csrftoken')).toBe(cookieLine(again.cookies, 'csrftoken')!.split(/[=;]/)[1]);
    expect((again.body as { csrfToken: string }).csrfToken).not.toBe(
      (res.body as { csrfToken: string }).csrfToken,
    );
  });
});

describe('POST /api/auth/login/', () => {
  it('signs in: the user, a session cookie with the right flags, a digest in the store', async () => {
    const t = await sessionGatehouse();
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/');
    const csrfBefore = jar.get('csrftoken');
    const res = await t.browser(jar, 'POST', '/api/auth/login/', {
      body: { username: 'alice', password: PASSWORD },
      headers: { 'user-agent': 'TestBrowser/1.0' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'alice',
      id: t.alice.id,
      last_login: '2026-01-01T00:00:00.000Z',
    });
    const line = cookieLine(res.cookies, 'sessionid')!;
    expect(line).toMatch(/^sessionid=[A-Za-z0-9_-]{43}; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax$/);
    // The CSRF secret is rotated at login, as Django does.
    expect(jar.get('csrftoken')).not.toBe(csrfBefore);
    const key = jar.get('sessionid')!;
    const [row] = await t.stores.sessions.listForUser(t.alice.id);
    expect(row).toMatchObject({ digest: sha256Hex(key), userAgent: 'TestBrowser/1.0', ip: '127.0.0.1' });
    expect(row!.id).not.toBe(key);
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await t.browser(jar, 'GET', '/api/me/')).body).toMatchObject({
      username: 'alice',
      auth: 'session',
    });
  });

  it('marks the cookie Secure over HTTPS, or always when configured; names and flags are configurable', async () => {
    const t = await sessionGatehouse();
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/', { secure: true });
    const res = await t.browser(jar, 'POST', '/api/auth/login/', {
      body: { username: 'alice', password: PASSWORD },
      secure: true,
    });
    expect(cookieLine(res.cookies, 'sessionid')).toContain('; Secure; HttpOnly; SameSite=Lax');
    expect(cookieLine(res.cookies, 'csrftoken')).toContain('; Secure; SameSite=Lax');

    const custom = await sessionGatehouse({
      sessions: {
        cookieName: 'sid',
        cookieSecure: true,
        cookieSameSite: 'Strict',
        cookiePath: '/app',
        cookieDomain: 'example.com',
        lifetime: '2h',
      },
    });
    const jar2 = new CookieJar();
    await custom.browser(jar2, 'GET', '/api/auth/csrf/');
    const login = await custom.browser(jar2, 'POST', '/api/auth/login/', {
      body: { username: 'alice', password: PASSWORD },
    });
    expect(cookieLine(login.cookies, 'sid')).toMatch(
      /^sid=[\w-]{43}; Max-Age=7200; Domain=example.com; Path=\/app; Secure; HttpOnly; SameSite=Strict$/,
    );
    const browserClose = await sessionGatehouse({ sessions: { expireAtBrowserClose: true } });
    const jar3 = new CookieJar();
    await browserClose.browser(jar3, 'GET', '/api/auth/csrf/');
    const r3 = await browserClose.browser(jar3, 'POST', '/api/auth/login/', {
      body: { username: 'alice', password: PASSWORD },
    });
    expect(cookieLine(r3.cookies, 'sessionid')).not.toContain('Max-Age');
  });

  it('gives a new session id at every login and deletes the one the request carried (no fixation)', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const first = jar.get('sessionid')!;
    await t.login('alice', jar);
    const second = jar.get('sessionid')!;
    expect(second).not.toBe(first);
    expect(await t.stores.sessions.findByDigest(sha256Hex(first))).toBeNull();
    expect(await t.stores.sessions.listForUser(t.alice.id)).toHaveLength(1);
    // An id planted by an attacker (their own session) is replaced, not adopted.
    await t.user('mallory', PASSWORD);
    const planted = await t.login('mallory');
    const victim = new CookieJar();
    victim.values.set('sessionid', planted.get('sessionid')!);
    await t.login('alice', victim);
    expect(victim.get('sessionid')).not.toBe(planted.get('sessionid'));
    expect((await t.browser(planted, 'GET', '/api/me/')).status).toBe(403);
    expect((await t.browser(victim, 'GET', '/api/me/')).body).toMatchObject({ username: 'alice' });
  });

  it('is CSRF-protected: no cookie, no token, a wrong token or a foreign Origin is 403', async () => {
    const t = await sessionGatehouse();
    const body = { username: 'alice', password: PASSWORD };
    const noCookie = await t.browser(new CookieJar(), 'POST', '/api/auth/login/', { body });
    expect(noCookie.status).toBe(403);
    expect(noCookie.body).toEqual({ detail: 'CSRF Failed: CSRF cookie not set.', code: 'csrf_missing' });
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/');
    expect((await t.browser(jar, 'POST', '/api/auth/login/', { body, csrf: false })).body).toMatchObject({
      code: 'csrf_missing',
    });
    expect(
      (await t.browser(jar, 'POST', '/api/auth/login/', { body, headers: { 'x-csrftoken': 'A'.repeat(64) } }))
        .body,
    ).toMatchObject({ code: 'csrf_mismatch' });
    const foreign = await t.browser(jar, 'POST', '/api/auth/login/', {
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'csrf_origin' });
    expect(foreign.cookies).toEqual([]);
    expect(await t.stores.sessions.listForUser(t.alice.id)).toHaveLength(0);
  });

  it('accepts a browser form with csrfmiddlewaretoken', async () => {
    const t = await sessionGatehouse();
    const jar = new CookieJar();
    const { csrfToken } = (await t.browser(jar, 'GET', '/api/auth/csrf/')).body as { csrfToken: string };
    const form = new URLSearchParams({
      username: 'alice',
      password: PASSWORD,
      csrfmiddlewaretoken: csrfToken,
    });
    const res = await t.browser(jar, 'POST', '/api/auth/login/', {
      body: form.toString(),
      csrf: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong password and an inactive user alike, with 400 and an audit event', async () => {
    const t = await sessionGatehouse();
    await t.user('bob', PASSWORD, { isActive: false });
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/');
    for (const body of [
      { username: 'alice', password: 'wrong' },
      { username: 'nobody', password: PASSWORD },
      { username: 'bob', password: PASSWORD },
    ]) {
      const res = await t.browser(jar, 'POST', '/api/auth/login/', { body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
      expect(res.cookies).toEqual([]);
    }
    expect((await t.browser(jar, 'POST', '/api/auth/login/', { body: { username: 'alice' } })).body).toEqual({
      password: ['This field is required.'],
    });
    const events = await t.stores.audit.list({ limit: 10 });
    expect(events.filter((e) => e.event === 'login_failed')).toHaveLength(3);
  });
});

describe('CSRF on session-authenticated requests', () => {
  const create = { name: 'laptop' };

  it('refuses an unsafe request without the token, with a wrong one, or from another origin', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const missing = await t.browser(jar, 'POST', '/api/auth/tokens/', { body: create, csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual({ detail: 'CSRF Failed: CSRF token missing.', code: 'csrf_missing' });
    const wrong = await t.browser(jar, 'POST', '/api/auth/tokens/', {
      body: create,
      headers: { 'x-csrftoken': 'b'.repeat(32) },
    });
    expect(wrong.body).toMatchObject({ code: 'csrf_mismatch' });
    const foreign = await t.browser(jar, 'POST', '/api/auth/tokens/', {
      body: create,
      headers: { origin: 'http://localhost:9999' },
    });
    expect(foreign.body).toMatchObject({ code: 'csrf_origin' });
    expect(await t.stores.apiTokens.listForUser(t.alice.id)).toHaveLength(0);
    expect((await t.browser(jar, 'POST', '/api/auth/tokens/', { body: create })).status).toBe(201);
    // Safe methods need no token.
    expect((await t.browser(jar, 'GET', '/api/auth/tokens/', { csrf: false })).status).toBe(200);
  });

  it('over HTTPS without Origin, checks the Referer', async () => {
    const t = await sessionGatehouse();
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/', { secure: true });
    await t.browser(jar, 'POST', '/api/auth/login/', {
      body: { username: 'alice', password: PASSWORD },
      secure: true,
    });
    const call = (referer?: string) =>
      t.browser(jar, 'POST', '/api/auth/tokens/', {
        body: create,
        secure: true,
        headers: { origin: '', ...(referer ? { referer } : {}) },
      });
    // An empty Origin is still an Origin that is not ours; drop it to test the Referer path.
    expect((await call()).body).toMatchObject({ code: 'csrf_origin' });
    const noOrigin = (referer?: string) => {
      const headers: Record<string, string> = {
        host: HOST,
        cookie: jar.header(),
        'x-csrftoken': jar.get('csrftoken')!,
      };
      if (referer) headers.referer = referer;
      return t.call('POST', '/api/auth/tokens/', { body: create, secure: true, headers });
    };
    expect((await noOrigin()).body).toMatchObject({ code: 'csrf_referer' });
    expect((await noOrigin('https://evil.example/x')).body).toMatchObject({ code: 'csrf_referer' });
    expect((await noOrigin(`https://${HOST}/account/`)).status).toBe(201);
  });

  it('accepts trusted origins', async () => {
    const t = await sessionGatehouse({ csrf: { trustedOrigins: ['https://*.example.org'] } });
    const jar = await t.login();
    const res = await t.browser(jar, 'POST', '/api/auth/tokens/', {
      body: create,
      headers: { origin: 'https://app.example.org' },
    });
    expect(res.status).toBe(201);
  });

  it('does not apply to credentials in the Authorization header (DRF)', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const { key } = (await t.browser(jar, 'POST', '/api/auth/tokens/', { body: create })).body as {
      key: string;
    };
    const res = await t.call('POST', '/api/auth/tokens/', {
      body: { name: 'script' },
      headers: { authorization: `Token ${key}`, origin: 'https://evil.example', host: HOST },
    });
    expect(res.status).toBe(201);
  });
});

describe('POST /api/auth/logout/', () => {
  it('deletes the row server-side and clears the cookie; the old cookie replayed is anonymous', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const stolen = jar.header();
    const res = await t.browser(jar, 'POST', '/api/auth/logout/');
    expect(res.status).toBe(204);
    expect(cookieLine(res.cookies, 'sessionid')).toMatch(
      /^sessionid=; Max-Age=0; Expires=Thu, 01 Jan 1970 .*; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(jar.get('sessionid')).toBeUndefined();
    expect(await t.stores.sessions.listForUser(t.alice.id)).toEqual([]);
    const replay = await t.call('GET', '/api/me/', { headers: { cookie: stolen, host: HOST } });
    expect(replay.status).toBe(403);
    expect(replay.body).toMatchObject({ code: 'not_authenticated' });
    expect((await t.stores.audit.list({ limit: 10 })).map((e) => e.event)).toContain('logout');
  });

  it('is refused without the CSRF token (a forged logout), and is a 204 without a session', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    expect((await t.browser(jar, 'POST', '/api/auth/logout/', { csrf: false })).status).toBe(403);
    expect(await t.stores.sessions.listForUser(t.alice.id)).toHaveLength(1);
    expect((await t.browser(new CookieJar(), 'POST', '/api/auth/logout/')).status).toBe(204);
  });
});

describe('GET/DELETE /api/auth/sessions/', () => {
  it('lists the caller’s live sessions with this one marked, and revokes another device', async () => {
    const t = await sessionGatehouse();
    const laptop = await t.login();
    t.clock.advance('5m');
    const phone = await t.login();
    await t.user('bob', PASSWORD);
    await t.login('bob');
    const res = await t.browser(phone, 'GET', '/api/auth/sessions/');
    expect(res.status).toBe(200);
    const list = res.body as Array<Record<string, unknown>>;
    expect(list).toHaveLength(2);
    expect(list[0]).toEqual({
      id: expect.any(String),
      created: '2026-01-01T00:05:00.000Z',
      last_seen: '2026-01-01T00:05:00.000Z',
      expires: '2026-01-15T00:05:00.000Z',
      ip: '127.0.0.1',
      user_agent: '',
      device: 'Unknown device',
      current: true,
    });
    expect(list[1]!.current).toBe(false);
    const other = list[1]!.id as string;
    const del = await t.browser(phone, 'DELETE', `/api/auth/sessions/${other}/`);
    expect(del.status).toBe(204);
    expect(del.cookies).toEqual([]);
    expect((await t.browser(laptop, 'GET', '/api/me/')).status).toBe(403);
    expect((await t.browser(phone, 'DELETE', `/api/auth/sessions/${other}/`)).status).toBe(404);
  });

  it('names each session’s device from its user agent, and documents the field', async () => {
    const t = await sessionGatehouse();
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/');
    await t.browser(jar, 'POST', '/api/auth/login/', {
      body: { username: 'alice', password: PASSWORD },
      headers: { 'user-agent': chrome },
    });
    const list = (await t.browser(jar, 'GET', '/api/auth/sessions/')).body as Array<Record<string, unknown>>;
    expect(list[0]).toMatchObject({ user_agent: chrome, device: 'Chrome on Linux' });
    const ok = buildOpenApi(t.gh).paths['/api/auth/sessions/']?.get?.responses['200'];
    expect(ok).toMatchObject({
      content: {
        'application/json': {
          schema: {
            type: 'array',
            items: {
              required: expect.arrayContaining(['device', 'user_agent']),
              properties: { device: { type: 'string' } },
            },
          },
        },
      },
    });
  });

  it('cannot revoke another user’s session; revoking this one clears the cookie', async () => {
    const t = await sessionGatehouse();
    await t.user('bob', PASSWORD);
    const bob = await t.login('bob');
    const [bobs] = await t.stores.sessions.listForUser((await t.stores.users.findByUsername('bob'))!.id);
    const alice = await t.login();
    expect((await t.browser(alice, 'DELETE', `/api/auth/sessions/${bobs!.id}/`)).status).toBe(404);
    expect((await t.browser(bob, 'GET', '/api/me/')).status).toBe(200);
    const [own] = (await t.browser(alice, 'GET', '/api/auth/sessions/')).body as Array<{ id: string }>;
    const res = await t.browser(alice, 'DELETE', `/api/auth/sessions/${own!.id}/`);
    expect(res.status).toBe(204);
    expect(cookieLine(res.cookies, 'sessionid')).toContain('Max-Age=0');
  });

  it('needs authentication: 403 when session is the first scheme', async () => {
    const t = await sessionGatehouse();
    const res = await t.call('GET', '/api/auth/sessions/');
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

describe('POST /api/auth/logout-all/', () => {
  it('ends every session of the user and clears this browser’s cookie', async () => {
    const t = await sessionGatehouse();
    const a = await t.login();
    const b = await t.login();
    await t.browser(a, 'POST', '/api/auth/tokens/', { body: { name: 'x' } });
    const res = await t.browser(b, 'POST', '/api/auth/logout-all/');
    expect(res.status).toBe(204);
    expect(cookieLine(res.cookies, 'sessionid')).toContain('Max-Age=0');
    expect(await t.stores.sessions.listForUser(t.alice.id)).toEqual([]);
    expect(await t.stores.apiTokens.listForUser(t.alice.id)).toEqual([]);
    expect((await t.browser(a, 'GET', '/api/me/')).status).toBe(403);
    // A new login after it works at once (same clock instant).
    expect((await t.browser(await t.login(), 'GET', '/api/me/')).status).toBe(200);
  });
});

describe('a password change', () => {
  it('keeps the session it names and ends the others (Django’s update_session_auth_hash)', async () => {
    const t = await sessionGatehouse();
    const kept = await t.login();
    const other = await t.login();
    await changePassword(t.gh.ctx, t.alice, 'another horse battery staple', {
      keepSessionDigest: sha256Hex(kept.get('sessionid')!),
    });
    expect((await t.browser(kept, 'GET', '/api/me/')).status).toBe(200);
    expect((await t.browser(other, 'GET', '/api/me/')).status).toBe(403);
  });
});

describe('expiry', () => {
  it('ends a session unused for idleTimeout; use keeps it alive, writing last seen at most once a minute', async () => {
    const t = await sessionGatehouse({ sessions: { idleTimeout: '30m' } });
    const jar = await t.login();
    const [row] = await t.stores.sessions.listForUser(t.alice.id);
    t.clock.advance('30s');
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(200);
    expect((await t.stores.sessions.findByDigest(row!.digest))!.lastSeenAt).toBe(row!.lastSeenAt);
    t.clock.advance('29m');
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect((await t.stores.sessions.findByDigest(row!.digest))!.lastSeenAt).toBe(t.clock.now());
    t.clock.advance('29m');
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    t.clock.advance('30m');
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(403);
    await new Promise((r) => setImmediate(r));
    expect(await t.stores.sessions.findByDigest(row!.digest)).toBeNull();
  });

  it('ends a session at its absolute lifetime however much it is used', async () => {
    const t = await sessionGatehouse({ sessions: { lifetime: '1h', idleTimeout: '30m' } });
    const jar = await t.login();
    for (let i = 0; i < 5; i++) {
      t.clock.advance('11m');
      expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(200);
      await new Promise((r) => setImmediate(r));
    }
    t.clock.advance('5m');
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(403);
    expect((await t.browser(jar, 'GET', '/api/auth/sessions/')).status).toBe(403);
  });

  it('with the default 14 days and no idle timeout', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    t.clock.advance(14 * 86400_000 - 1);
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(200);
    t.clock.advance(1);
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(403);
  });

  it('a deactivated user’s session is anonymous at once', async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    await t.stores.users.setActive(t.alice.id, false);
    expect((await t.browser(jar, 'GET', '/api/me/')).status).toBe(403);
  });
});
