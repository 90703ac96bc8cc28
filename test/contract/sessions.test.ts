import { describe, expect, it } from 'vitest';
import { APP_ROUTES } from './apps/routes.js';
import { browse, Jar, send } from './http.js';
import { ADAPTER_TARGETS, PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

/** GET /api/auth/csrf/ then POST /api/auth/login/, as a same-origin page does. */
async function login(t: RunningTarget, username: string): Promise<Jar> {
  const jar = new Jar();
  const csrf = await browse(jar, t.origin, 'GET', `${t.base}/api/auth/csrf/`);
  expect(csrf.status).toBe(200);
  expect(csrf.body).toEqual({ csrfToken: expect.any(String) });
  const res = await browse(jar, t.origin, 'POST', `${t.base}/api/auth/login/`, {
    body: { username, password: PASSWORD },
  });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ username });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sessionid='));
  expect(cookie).toMatch(/HttpOnly/i);
  return jar;
}

describe.each(TARGETS)('sessions and CSRF on $name', (target) => {
  const t = useTarget(target, { authentication: ['session', 'basic'] });

  it('answers an anonymous caller 403 when session is the first scheme (DRF: no challenge)', async () => {
    const res = await send('GET', `${t().base}/api/me/`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('logs in with CSRF, authenticates by cookie, lists the session, and logs out', async () => {
    await t().user('bea');
    const jar = await login(t(), 'bea');
    const me = await browse(jar, t().origin, 'GET', `${t().base}/api/me/`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'bea', auth: 'session' });
    const list = await browse(jar, t().origin, 'GET', `${t().base}/api/auth/sessions/`);
    expect(list.body).toEqual([expect.objectContaining({ current: true })]);
    const out = await browse(jar, t().origin, 'POST', `${t().base}/api/auth/logout/`);
    expect(out.status).toBe(204);
    expect(jar.get('sessionid')).toBeUndefined();
    expect((await browse(jar, t().origin, 'GET', `${t().base}/api/me/`)).status).toBe(403);
  });

  it('refuses a login without the CSRF token, and one from another origin', async () => {
    await t().user('cy');
    const jar = new Jar();
    await browse(jar, t().origin, 'GET', `${t().base}/api/auth/csrf/`);
    const body = { username: 'cy', password: PASSWORD };
    const missing = await browse(jar, t().origin, 'POST', `${t().base}/api/auth/login/`, {
      body,
      csrf: false,
    });
    expect(missing.status).toBe(403);
    expect((missing.body as { code: string }).code).toMatch(/^csrf_/);
    const foreign = await browse(jar, t().origin, 'POST', `${t().base}/api/auth/login/`, {
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'csrf_origin' });
  });

  it('refuses an unsafe request authenticated by cookie without the CSRF token', async () => {
    await t().user('dee');
    const jar = await login(t(), 'dee');
    const res = await browse(jar, t().origin, 'POST', `${t().base}/api/auth/logout-all/`, { csrf: false });
    expect(res.status).toBe(403);
    expect((res.body as { code: string }).code).toMatch(/^csrf_/);
    expect((await browse(jar, t().origin, 'GET', `${t().base}/api/me/`)).status).toBe(200);
  });
});

describe.each(ADAPTER_TARGETS)('sessions on an app built with the $name adapter', (target) => {
  const t = useTarget(target, { authentication: ['session', 'basic'] });
  const app = (path: string) => `${t().origin}${path}`;

  it('guards the app’s routes with the session cookie and Django’s CSRF rules', async () => {
    await t().user('eve');
    const anon = await send('POST', app(APP_ROUTES.notes), { body: { text: 'x' } });
    expect(anon.status).toBe(403);
    const jar = await login(t(), 'eve');
    const forged = await browse(jar, t().origin, 'POST', app(APP_ROUTES.notes), {
      body: { text: 'x' },
      csrf: false,
    });
    expect(forged.status).toBe(403);
    const ok = await browse(jar, t().origin, 'POST', app(APP_ROUTES.notes), { body: { text: 'hi' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ owner: 'eve', text: 'hi' });
  });

  it('saves what a handler put in the session before the next request reads it', async () => {
    await t().user('fay');
    const jar = await login(t(), 'fay');
    for (const visits of [1, 2, 3]) {
      const res = await browse(jar, t().origin, 'GET', app(APP_ROUTES.visits));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ visits });
    }
  });
});
