import { describe, expect, it } from 'vitest';
import { basic, send } from './http.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

describe.each(TARGETS)('register on $name', (target) => {
  const open = useTarget(target, { signup: true, authentication: ['basic'] });
  const closed = useTarget(target, { signup: false });

  it('is refused when sign-up is off', async () => {
    const res = await send('POST', `${closed().base}/api/auth/register/`, {
      body: { username: 'dan', password: PASSWORD },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'signup_disabled' });
  });

  it('creates a user who can then authenticate', async () => {
    const res = await send('POST', `${open().base}/api/auth/register`, {
      body: { username: 'erin', password: PASSWORD, email: 'erin@example.com' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'erin', email: 'erin@example.com', is_staff: false });
    const me = await send('GET', `${open().base}/api/me/`, { headers: basic('erin', PASSWORD) });
    expect(me.status).toBe(200);
  });

  it('accepts a form body, as a browser form sends it', async () => {
    const res = await send('POST', `${open().base}/api/auth/register/`, {
      body: new URLSearchParams({ username: 'frank', password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'frank' });
  });

  it('answers DRF field errors', async () => {
    const res = await send('POST', `${open().base}/api/auth/register/`, { body: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
    await open().user('gina');
    const taken = await send('POST', `${open().base}/api/auth/register/`, {
      body: { username: 'gina', password: PASSWORD },
    });
    expect(taken.body).toEqual({ username: ['A user with that username already exists.'] });
  });
});

describe.each(TARGETS)('logout-all on $name', (target) => {
  const t = useTarget(target, { authentication: ['basic'] });

  it('needs a caller, then moves the user’s cutoff so every credential ends now', async () => {
    const user = await t().user('hank');
    const anon = await send('POST', `${t().base}/api/auth/logout-all/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="api"');
    const res = await send('POST', `${t().base}/api/auth/logout-all/`, { headers: basic('hank', PASSWORD) });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const after = await t().gh.ctx.stores.users.findById(user.id);
    expect(after?.tokensValidAfter).toBe(t().clock.now());
  });
});
