import { describe, expect, it } from 'vitest';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { type CookieJar, PASSWORD, type SessionTestGatehouse, sessionGatehouse } from '../helpers/session.js';

const NEW = 'a brand new passphrase 4711';
const OFF = { login: null, loginUsername: null, refresh: null, register: null, passwordChange: null };

interface Credentials {
  jar: CookieJar;
  otherJar: CookieJar;
  apiKey: string;
  access: string;
  refresh: string;
}

async function setup(extra: Partial<GatehouseConfigInput> = {}) {
  return sessionGatehouse({ authentication: ['session', 'token', 'jwt'], throttle: OFF, ...extra });
}

/** Alice signed in everywhere: two browsers, an API token, a JWT pair. */
async function signedInEverywhere(t: SessionTestGatehouse): Promise<Credentials> {
  const jar = await t.login();
  const otherJar = await t.login();
  const body = { username: 'alice', password: PASSWORD };
  const apiKey = ((await t.call('POST', '/api-token-auth/', { body })).body as { token: string }).token;
  const pair = (await t.call('POST', '/api/token/', { body })).body as { access: string; refresh: string };
  return { jar, otherJar, apiKey, ...pair };
}

const change = (t: SessionTestGatehouse, jar: CookieJar, body: unknown) =>
  t.browser(jar, 'POST', '/api/auth/password/', { body });

async function statuses(t: SessionTestGatehouse, c: Credentials) {
  return {
    session: (await t.browser(c.jar, 'GET', '/api/me/')).status,
    otherSession: (await t.browser(c.otherJar, 'GET', '/api/me/')).status,
    apiToken: (await t.call('GET', '/api/me/', { headers: { authorization: `Token ${c.apiKey}` } })).status,
    access: (await t.call('GET', '/api/me/', { headers: { authorization: `Bearer ${c.access}` } })).status,
    refresh: (await t.call('POST', '/api/token/refresh/', { body: { refresh: c.refresh } })).status,
  };
}

describe('POST /api/auth/password/', () => {
  it('changes the password and ends every other credential at once, keeping the current session', async () => {
    const t = await setup();
    const c = await signedInEverywhere(t);
    t.clock.advance('1s');
    const res = await change(t, c.jar, { old_password: PASSWORD, new_password: NEW });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ detail: 'New password has been saved.' });
    expect(await statuses(t, c)).toEqual({
      session: 200,
      // A session that ended is anonymous (403, session first, as in DRF); a rejected token is
      // a 401 with its scheme's challenge.
      otherSession: 403,
      apiToken: 401,
      access: 401,
      refresh: 401,
    });
    // Even within the same millisecond as the tokens were issued: the cutoff is not by second.
    const login = (password: string) =>
      t.call('POST', '/api/token/', { body: { username: 'alice', password } });
    expect((await login(PASSWORD)).status).toBe(401);
    expect((await login(NEW)).status).toBe(200);
    const events = await t.stores.audit.list({ limit: 50 });
    expect(events.find((e) => e.event === 'password_changed')).toMatchObject({
      username: 'alice',
      scheme: 'session',
      userAgent: expect.any(String),
    });
  });

  it('with passwords.endCredentialsOnChange false, changes only the password', async () => {
    const t = await setup({ passwords: { endCredentialsOnChange: false } });
    const c = await signedInEverywhere(t);
    expect((await change(t, c.jar, { old_password: PASSWORD, new_password: NEW })).status).toBe(200);
    expect(await statuses(t, c)).toEqual({
      session: 200,
      otherSession: 200,
      apiToken: 200,
      access: 200,
      refresh: 200,
    });
  });

  it('refuses a wrong old password with Django’s message and ends nothing', async () => {
    const t = await setup();
    const c = await signedInEverywhere(t);
    const res = await change(t, c.jar, { old_password: 'not it', new_password: NEW });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      old_password: ['Your old password was entered incorrectly. Please enter it again.'],
    });
    expect(Object.values(await statuses(t, c))).toEqual([200, 200, 200, 200, 200]);
  });

  it('runs the password validators and bounds both fields', async () => {
    const t = await setup();
    const jar = await t.login();
    const weak = await change(t, jar, { old_password: PASSWORD, new_password: '12345678' });
    expect(weak.status).toBe(400);
    expect(Object.keys(weak.body as object)).toEqual(['new_password']);
    expect((weak.body as { new_password: string[] }).new_password).toContain('This password is too common.');
    const huge = 'x'.repeat(1025);
    const long = await change(t, jar, { old_password: huge, new_password: huge });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({
      old_password: ['Ensure this field has no more than 1024 characters.'],
      new_password: ['Ensure this field has no more than 1024 characters.'],
    });
    const missing = await change(t, jar, {});
    expect(missing.body).toEqual({
      old_password: ['This field is required.'],
      new_password: ['This field is required.'],
    });
    expect(
      (await t.call('POST', '/api/token/', { body: { username: 'alice', password: PASSWORD } })).status,
    ).toBe(200);
  });

  it('needs a caller, and CSRF for a cookie-authenticated one', async () => {
    const t = await setup();
    const anonymous = await t.call('POST', '/api/auth/password/', {
      body: { old_password: PASSWORD, new_password: NEW },
    });
    expect(anonymous.status).toBe(403);
    const jar = await t.login();
    const forged = await t.browser(jar, 'POST', '/api/auth/password/', {
      body: { old_password: PASSWORD, new_password: NEW },
      csrf: false,
    });
    expect(forged.status).toBe(403);
    expect((forged.body as { code: string }).code).toBe('csrf_missing');
  });

  it('with an API token: the change ends that token too (the caller signs in again)', async () => {
    const t = await setup({ authentication: ['token', 'session', 'jwt'] });
    const c = await signedInEverywhere(t);
    const auth = { authorization: `Token ${c.apiKey}` };
    const res = await t.call('POST', '/api/auth/password/', {
      headers: auth,
      body: { old_password: PASSWORD, new_password: NEW },
    });
    expect(res.status).toBe(200);
    expect((await t.call('GET', '/api/me/', { headers: auth })).status).toBe(401);
    expect((await t.browser(c.jar, 'GET', '/api/me/')).status).toBe(401);
  });

  it('throttles per (ip, user) and backs off on wrong old passwords', async () => {
    const t = await setup({ throttle: { ...OFF, passwordChange: '3/hour', backoffAfter: 2 } });
    const jar = await t.login();
    const wrong = () => change(t, jar, { old_password: 'guess', new_password: NEW });
    expect((await wrong()).status).toBe(400);
    expect((await wrong()).status).toBe(400);
    const backingOff = await wrong();
    expect(backingOff.status).toBe(429);
    expect(backingOff.headers['retry-after']).toBe('1');
    t.clock.advance('1s');
    expect((await wrong()).status).toBe(400);
    expect((await wrong()).headers['retry-after']).toBe('2');
    t.clock.advance('2s');
    // The hourly window (3 attempts) is spent by now: the right password waits too.
    const res = await change(t, jar, { old_password: PASSWORD, new_password: NEW });
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: 'throttled' });
    t.clock.advance('1h');
    expect((await change(t, jar, { old_password: PASSWORD, new_password: NEW })).status).toBe(200);
  });
});
