import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { decode, jwtGatehouse, PASSWORD, type Pair } from '../../../test/helpers/jwt.js';

const INVALID = { detail: 'Token is invalid or expired', code: 'token_not_valid' };
const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };
const NO_ACCOUNT = {
  detail: 'No active account found with the given credentials',
  code: 'no_active_account',
};

describe('POST /api/token/', () => {
  it('answers {refresh, access} with simplejwt’s claims and a kid', async () => {
    const t = await jwtGatehouse();
    const res = await t.call('POST', '/api/token/', { body: { username: 'alice', password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body as object)).toEqual(['refresh', 'access']);
    const { access, refresh } = res.body as Pair;
    const now = Math.floor(t.clock.now() / 1000);
    expect(decode(access).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.any(String) });
    expect(decode(access).payload).toEqual({
      token_type: 'access',
      exp: now + 15 * 60,
      iat: now,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      user_id: t.alice.id,
      iat_ms: t.clock.now(),
      // When the password was checked: carried through refreshes, read by step-up (docs/mfa.md).
      auth_time: now,
    });
    expect(decode(refresh).payload).toMatchObject({
      token_type: 'refresh',
      exp: now + 7 * 86400,
      auth_time: now,
    });
    expect(res.headers['cache-control']).toBe('no-store');
    const events = await t.stores.audit.list({ limit: 10 });
    expect(events.map((e) => e.event)).toContain('login_succeeded');
  });

  it('answers the same 401 for a wrong password, an unknown user and an inactive user', async () => {
    const t = await jwtGatehouse();
    await t.user('carol', PASSWORD, { isActive: false });
    for (const body of [
      { username: 'alice', password: 'wrong password' },
      { username: 'nobody', password: PASSWORD },
      { username: 'carol', password: PASSWORD },
    ]) {
      const res = await t.call('POST', '/api/token/', { body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(NO_ACCOUNT);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
    const failed = (await t.stores.audit.list({ limit: 10 })).filter((e) => e.event === 'login_failed');
    expect(failed).toHaveLength(3);
  });

  it('answers DRF field errors for a missing or blank field, and takes a form', async () => {
    const t = await jwtGatehouse();
    const missing = await t.call('POST', '/api/token/', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
    const blank = await t.call('POST', '/api/token/', { body: { username: '', password: PASSWORD } });
    expect(blank.body).toEqual({ username: ['This field may not be blank.'] });
    const form = await t.call('POST', '/api/token/', {
      body: `username=alice&password=${encodeURIComponent(PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
  });

  it('updates last login only when updateLastLogin is on (simplejwt’s default is off)', async () => {
    const off = await jwtGatehouse();
    await off.login();
    expect((await off.stores.users.findById(off.alice.id))!.lastLogin).toBeNull();
    const on = await jwtGatehouse({ updateLastLogin: true });
    await on.login();
    expect((await on.stores.users.findById(on.alice.id))!.lastLogin).toBe(on.clock.now());
  });

  it('adds custom claims from the hook; reserved claims win', async () => {
    const t = await jwtGatehouse({
      customClaims: (user, type) => ({ username: user.username, kind: type, user_id: 999, exp: 1 }),
    });
    const { access, refresh } = await t.login();
    expect(decode(access).payload).toMatchObject({ username: 'alice', kind: 'access', user_id: t.alice.id });
    expect(decode(refresh).payload).toMatchObject({ kind: 'refresh' });
    expect((await t.me(access)).status).toBe(200);
  });

  it('is not mounted when jwt is not a configured scheme', async () => {
    const t = await makeGatehouse({ authentication: ['token'] });
    expect((await t.call('POST', '/api/token/', { body: {} })).status).toBe(404);
    expect((await t.call('GET', '/.well-known/jwks.json')).status).toBe(404);
  });
});

describe('POST /api/token/refresh/', () => {
  const refresh = (t: Awaited<ReturnType<typeof jwtGatehouse>>, token: string) =>
    t.call('POST', '/api/token/refresh/', { body: { refresh: token } });

  it('rotates: a new pair in the same family; the old refresh token is spent', async () => {
    const t = await jwtGatehouse();
    const first = await t.login();
    t.clock.advance('10s');
    const res = await refresh(t, first.refresh);
    expect(res.status).toBe(200);
    const next = res.body as Pair;
    expect(Object.keys(next).sort()).toEqual(['access', 'refresh']);
    expect(decode(next.refresh).payload.jti).not.toBe(decode(first.refresh).payload.jti);
    expect((await t.me(next.access)).status).toBe(200);
    expect((await refresh(t, next.refresh)).status).toBe(200);
    const events = await t.stores.audit.list({ limit: 20 });
    expect(events.filter((e) => e.event === 'refresh_rotated')).toHaveLength(2);
  });

  it('detects reuse: a rotated-away token revokes its whole family and is audited', async () => {
    const t = await jwtGatehouse();
    const first = await t.login();
    const other = await t.login();
    const next = (await refresh(t, first.refresh)).body as Pair;
    t.clock.advance('10s'); // past jwt.reuseGraceSeconds: no longer a tab's concurrent refresh
    const replay = await refresh(t, first.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(BLACKLISTED);
    expect(replay.headers['www-authenticate']).toBe('Bearer realm="api"');
    // The thief's (or the victim's) newer token is dead too; another login is not.
    expect((await refresh(t, next.refresh)).body).toEqual(BLACKLISTED);
    expect((await refresh(t, other.refresh)).status).toBe(200);
    const reuse = (await t.stores.audit.list({ limit: 20 })).filter(
      (e) => e.event === 'refresh_reuse_detected',
    );
    expect(reuse).toHaveLength(1);
    expect(reuse[0]).toMatchObject({ userId: t.alice.id, username: 'alice', scheme: 'jwt' });
    expect(JSON.stringify(reuse[0])).not.toContain(first.refresh);
  });

  it('spends a token exactly once under 50 concurrent refreshes: every caller gets the one successor', async () => {
    const t = await jwtGatehouse();
    const { refresh: token } = await t.login();
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(t, token)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(results.map((r) => (r.body as Pair).refresh)).size).toBe(1);
    const events = (await t.stores.audit.list({ limit: 100 })).map((e) => e.event);
    expect(events.filter((e) => e === 'refresh_rotated')).toHaveLength(1);
    expect(events.filter((e) => e === 'refresh_replayed')).toHaveLength(49);
    expect(events).not.toContain('refresh_reuse_detected');
  });

  it('without rotation: only {access}, and the refresh token keeps working (simplejwt)', async () => {
    const t = await jwtGatehouse({ rotateRefreshTokens: false });
    const { refresh: token } = await t.login();
    for (let i = 0; i < 3; i++) {
      const res = await refresh(t, token);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body as object)).toEqual(['access']);
    }
    expect((await t.call('POST', '/api/token/blacklist/', { body: { refresh: token } })).status).toBe(200);
    expect((await refresh(t, token)).body).toEqual(BLACKLISTED);
  });

  it('blacklistAfterRotation false: the old token still refreshes (simplejwt), no reuse alarm', async () => {
    const t = await jwtGatehouse({ blacklistAfterRotation: false });
    const { refresh: token } = await t.login();
    expect((await refresh(t, token)).status).toBe(200);
    expect((await refresh(t, token)).status).toBe(200);
    const events = await t.stores.audit.list({ limit: 20 });
    expect(events.some((e) => e.event === 'refresh_reuse_detected')).toBe(false);
  });

  it('refuses an access token, garbage, an expired token and an unknown one', async () => {
    const t = await jwtGatehouse({ refreshTokenLifetime: '1h' });
    const pair = await t.login();
    expect((await refresh(t, pair.access)).body).toEqual({
      detail: 'Token has wrong type',
      code: 'token_not_valid',
    });
    expect((await refresh(t, 'garbage')).body).toEqual(INVALID);
    const now = Math.floor(t.clock.now() / 1000);
    const stray = t.sign({
      token_type: 'refresh',
      exp: now + 60,
      iat: now,
      jti: 'f'.repeat(32),
      user_id: t.alice.id,
    });
    expect((await refresh(t, stray)).body).toEqual(INVALID);
    t.clock.advance('1h');
    expect((await refresh(t, pair.refresh)).body).toEqual(INVALID);
  });

  it('refuses when the user is gone inactive or logged out everywhere', async () => {
    const t = await jwtGatehouse();
    const a = await t.login();
    const b = await t.login();
    await t.call('POST', '/api/auth/logout-all/', { headers: { authorization: `Bearer ${a.access}` } });
    expect((await refresh(t, a.refresh)).body).toEqual(BLACKLISTED);
    const c = await t.login();
    await t.stores.users.setActive(t.alice.id, false);
    expect((await refresh(t, c.refresh)).body).toEqual({
      detail: 'No active account found for the given token.',
      code: 'no_active_account',
    });
    expect((await refresh(t, b.refresh)).status).toBe(401);
  });

  it('answers a 400 for a missing field', async () => {
    const t = await jwtGatehouse();
    const res = await t.call('POST', '/api/token/refresh/', { body: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ refresh: ['This field is required.'] });
  });
});

describe('POST /api/token/verify/ and /api/token/blacklist/', () => {
  it('verify: 200 {} for a valid token of any type; 401 otherwise; 400 without a token', async () => {
    const t = await jwtGatehouse();
    const pair = await t.login();
    for (const token of [pair.access, pair.refresh]) {
      const res = await t.call('POST', '/api/token/verify/', { body: { token } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    }
    const bad = await t.call('POST', '/api/token/verify/', { body: { token: `${pair.access}x` } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(INVALID);
    expect(bad.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect((await t.call('POST', '/api/token/verify/', { body: {} })).body).toEqual({
      token: ['This field is required.'],
    });
    await t.stores.users.setActive(t.alice.id, false);
    expect((await t.call('POST', '/api/token/verify/', { body: { token: pair.access } })).body).toEqual(
      INVALID,
    );
  });

  it('blacklist: 200 {}; the token and its family end; a second blacklist is a 401', async () => {
    const t = await jwtGatehouse();
    const pair = await t.login();
    const res = await t.call('POST', '/api/token/blacklist/', { body: { refresh: pair.refresh } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect((await t.call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).body).toEqual(
      BLACKLISTED,
    );
    expect((await t.call('POST', '/api/token/verify/', { body: { token: pair.refresh } })).body).toEqual(
      BLACKLISTED,
    );
    expect((await t.call('POST', '/api/token/blacklist/', { body: { refresh: pair.refresh } })).body).toEqual(
      BLACKLISTED,
    );
    expect((await t.call('POST', '/api/token/blacklist/', { body: { refresh: pair.access } })).status).toBe(
      401,
    );
    expect((await t.call('POST', '/api/token/blacklist/', { body: {} })).status).toBe(400);
    expect((await t.stores.audit.list({ limit: 20 })).some((e) => e.event === 'logout')).toBe(true);
  });

  it('blacklisting a rotated-away token is reuse: the family ends', async () => {
    const t = await jwtGatehouse();
    const first = await t.login();
    const next = (await t.call('POST', '/api/token/refresh/', { body: { refresh: first.refresh } }))
      .body as Pair;
    expect((await t.call('POST', '/api/token/blacklist/', { body: { refresh: first.refresh } })).status).toBe(
      401,
    );
    expect((await t.call('POST', '/api/token/refresh/', { body: { refresh: next.refresh } })).status).toBe(
      401,
    );
  });
});

describe('sliding tokens (authTokenTypes includes sliding)', () => {
  it('obtain {token}; refresh renews it until refresh_exp; the refresh window is checked', async () => {
    const t = await jwtGatehouse({
      authTokenTypes: ['sliding'],
      slidingTokenLifetime: '5m',
      slidingTokenRefreshLifetime: '1h',
    });
    const res = await t.call('POST', '/api/token/sliding/', {
      body: { username: 'alice', password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const { token } = res.body as { token: string };
    const now = Math.floor(t.clock.now() / 1000);
    expect(decode(token).payload).toMatchObject({
      token_type: 'sliding',
      exp: now + 300,
      refresh_exp: now + 3600,
    });
    t.clock.advance('4m');
    const renewed = await t.call('POST', '/api/token/sliding/refresh/', { body: { token } });
    expect(renewed.status).toBe(200);
    const next = (renewed.body as { token: string }).token;
    expect(decode(next).payload).toMatchObject({
      jti: decode(token).payload.jti,
      refresh_exp: now + 3600,
      exp: now + 240 + 300,
    });
    expect((await t.me(next)).status).toBe(200);
    t.clock.advance('56m');
    expect((await t.me(next)).status).toBe(401);
    const late = t.sign({ ...decode(next).payload, exp: Math.floor(t.clock.now() / 1000) + 60 });
    expect((await t.call('POST', '/api/token/sliding/refresh/', { body: { token: late } })).body).toEqual({
      detail: "Token 'refresh_exp' claim has expired",
      code: 'token_not_valid',
    });
  });
});
