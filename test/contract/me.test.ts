import { describe, expect, it } from 'vitest';
import { basic, send } from './http.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

describe.each(TARGETS)('GET /api/me/ on $name', (target) => {
  const t = useTarget(target, { authentication: ['basic'] });

  it('answers an anonymous caller 401 with the first scheme’s challenge, Vary and no-store', async () => {
    const res = await send('GET', `${t().base}/api/me/`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="api"');
    expect(res.headers.get('vary')).toBe('Cookie, Authorization');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers the caller and the scheme, with and without the trailing slash', async () => {
    await t().user('alice', { email: 'alice@example.com' });
    for (const path of ['/api/me/', '/api/me']) {
      const res = await send('GET', `${t().base}${path}`, { headers: basic('alice', PASSWORD) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        username: 'alice',
        email: 'alice@example.com',
        is_staff: false,
        is_active: true,
        auth: 'basic',
      });
      expect(JSON.stringify(res.body)).not.toContain('argon2');
      expect(res.headers.get('vary')).toBe('Cookie, Authorization');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('refuses a wrong password with DRF’s message and the challenge', async () => {
    await t().user('bob');
    const res = await send('GET', `${t().base}/api/me/`, { headers: basic('bob', 'wrong password') });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid username/password.', code: 'authentication_failed' });
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="api"');
  });

  it('refuses an inactive user', async () => {
    await t().user('carol', { isActive: false });
    const res = await send('GET', `${t().base}/api/me/`, { headers: basic('carol', PASSWORD) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ detail: 'User inactive or deleted.' });
  });

  it('refuses a malformed Authorization header with 401, never a 500', async () => {
    const res = await send('GET', `${t().base}/api/me/`, { headers: { authorization: 'Basic !!!' } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'authentication_failed' });
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await send('HEAD', `${t().base}/api/me/`);
    expect(res.status).toBe(401);
    expect(res.body).toBeUndefined();
  });
});
