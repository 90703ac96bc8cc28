import { afterEach, describe, expect, it, vi } from 'vitest';
import { deactivateUser } from '../../src/core/users.js';
import type { AuditEvent } from '../../src/stores/types.js';
import { CookieJar, PASSWORD, sessionGatehouse } from '../helpers/session.js';

const UA = 'AuditTest/1.0';
const IP = '198.51.100.23';
const OFF = { login: null, loginUsername: null, refresh: null, register: null, passwordChange: null };

/** Every event the issue names; each must be written by the flow below. */
const REQUIRED = [
  'login_succeeded',
  'login_failed',
  'token_created',
  'token_revoked',
  'refresh_rotated',
  'refresh_reuse_detected',
  'session_revoked',
  'logout_all',
  'password_changed',
  'user_deactivated',
] as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('audit trail', () => {
  it('records every security event with user, ip, user agent, scheme and time, to the log and the store', async () => {
    // Grace 0: the replay below is reuse at once (this test's clock must not move).
    const t = await sessionGatehouse({
      authentication: ['session', 'token', 'jwt'],
      throttle: OFF,
      jwt: { reuseGraceSeconds: 0 },
    });
    const logged: Array<{ audit: AuditEvent }> = [];
    vi.spyOn(t.gh.ctx.logger, 'info').mockImplementation((obj: object) => {
      if ('audit' in obj) logged.push(obj as { audit: AuditEvent });
    });
    const headers = { 'user-agent': UA };
    const call = (method: string, url: string, opts: { body?: unknown; auth?: string } = {}) =>
      t.call(method, url, {
        ip: IP,
        body: opts.body,
        headers: opts.auth ? { ...headers, authorization: opts.auth } : headers,
      });
    const creds = { username: 'alice', password: PASSWORD };

    // Logins by every scheme, and a failure.
    expect((await call('POST', '/api/token/', { body: { ...creds, password: 'wrong' } })).status).toBe(401);
    const pair = (await call('POST', '/api/token/', { body: creds })).body as { refresh: string };
    const key = ((await call('POST', '/api-token-auth/', { body: creds })).body as { token: string }).token;
    const jar = new CookieJar();
    await t.browser(jar, 'GET', '/api/auth/csrf/', { ip: IP, headers });
    await t.browser(jar, 'POST', '/api/auth/login/', { body: creds, ip: IP, headers });
    const other = await t.login();

    // Tokens: create and revoke one.
    const made = await call('POST', '/api/auth/tokens/', { body: { name: 'ci' }, auth: `Token ${key}` });
    const id = (made.body as { id: string }).id;
    expect((await call('DELETE', `/api/auth/tokens/${id}/`, { auth: `Token ${key}` })).status).toBe(204);

    // Refresh: rotate, then replay the spent one (theft detection).
    expect((await call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).status).toBe(200);
    expect((await call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).status).toBe(401);

    // Sessions: revoke the other browser's session.
    const list = await t.browser(jar, 'GET', '/api/auth/sessions/', { ip: IP, headers });
    const otherId = (list.body as Array<{ id: string; current: boolean }>).find((s) => !s.current)!.id;
    expect(
      (await t.browser(jar, 'DELETE', `/api/auth/sessions/${otherId}/`, { ip: IP, headers })).status,
    ).toBe(204);
    expect((await t.browser(other, 'GET', '/api/me/')).status).toBe(403);

    // Password change, logout everywhere, deactivation.
    const changed = await t.browser(jar, 'POST', '/api/auth/password/', {
      body: { old_password: PASSWORD, new_password: 'another long passphrase 99' },
      ip: IP,
      headers,
    });
    expect(changed.status).toBe(200);
    expect((await t.browser(jar, 'POST', '/api/auth/logout-all/', { ip: IP, headers })).status).toBe(204);
    await deactivateUser(t.gh.ctx, t.alice);

    const stored = (await t.stores.audit.list({ limit: 1000 })).reverse();
    const names = stored.map((e) => e.event);
    for (const event of REQUIRED) expect(names, event).toContain(event);
    // The log carries the same records as the store, in the same order.
    expect(logged.map((l) => l.audit)).toEqual(stored);

    for (const e of stored) {
      expect(e.at, e.event).toBe(t.clock.now());
      if (e.event === 'user_deactivated' && e.ip === '') continue; // an operator's act, no request
      if (e.event === 'login_succeeded' && e.scheme === 'session' && e.ip !== IP) continue; // `other`
      expect(e.userId ?? e.username, e.event).not.toBeNull();
      expect(e.ip, e.event).toBe(IP);
      expect(e.userAgent, e.event).toBe(UA);
    }
    const schemeOf = (event: string) => stored.filter((e) => e.event === event).map((e) => e.scheme);
    expect(schemeOf('login_succeeded')).toEqual(['jwt', 'token', 'session', 'session']);
    expect(schemeOf('login_failed')).toEqual(['jwt']);
    expect(schemeOf('refresh_rotated')).toEqual(['jwt']);
    expect(schemeOf('refresh_reuse_detected')).toEqual(['jwt']);
    expect(schemeOf('session_revoked')).toEqual(['session']);
    expect(schemeOf('logout_all')).toEqual(['session']);
    expect(schemeOf('password_changed')).toEqual(['session']);
    const failed = stored.find((e) => e.event === 'login_failed')!;
    expect(failed).toMatchObject({
      userId: null,
      username: 'alice',
      detail: { reason: 'invalid_credentials' },
    });

    // Ids and reasons only: never the key, a token, a password or a session secret.
    const text = JSON.stringify(stored);
    for (const secret of [key, pair.refresh, PASSWORD, 'wrong', ...jar.values.values()]) {
      expect(text).not.toContain(secret);
    }
  });

  it('cuts a hostile user agent, and a failed audit write does not fail the request', async () => {
    const t = await sessionGatehouse({ authentication: ['jwt'], throttle: OFF });
    vi.spyOn(t.stores.audit, 'append').mockRejectedValue(new Error('audit table is gone'));
    const errors = vi.spyOn(t.gh.ctx.logger, 'error');
    const res = await t.call('POST', '/api/token/', {
      body: { username: 'alice', password: PASSWORD },
      headers: { 'user-agent': 'x'.repeat(10_000) },
    });
    expect(res.status).toBe(200);
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'login_succeeded' }),
      'audit write failed',
    );
    const append = vi.mocked(t.stores.audit.append);
    expect(append.mock.calls[0]![0].userAgent).toHaveLength(256);
  });
});
