import { describe, expect, it } from 'vitest';
import { basicAuth, makeGatehouse } from '../../test/helpers/gatehouse.js';

const PW = 'correct horse battery staple';

describe('HTTP layer', () => {
  it('sends Vary, no-store and hardening headers on every contract response', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    const res = await t.call('GET', '/api/me/');
    expect(res.headers).toMatchObject({
      vary: 'Cookie, Authorization',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "frame-ancestors 'none'",
    });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const secure = await t.call('GET', '/api/me/', { secure: true });
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=/);
  });

  it('answers malformed JSON with 400 parse_error, not a 500', async () => {
    const t = await makeGatehouse({ signup: true });
    const res = await t.call('POST', '/api/auth/register/', { body: '{"username": ' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse_error' });
    expect((res.body as { detail: string }).detail).toMatch(/^JSON parse error - /);
  });

  it('answers a non-object body with DRF’s non_field_errors', async () => {
    const t = await makeGatehouse({ signup: true });
    const res = await t.call('POST', '/api/auth/register/', { body: '"hello"' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
  });

  it('refuses an unsupported content type with 415', async () => {
    const t = await makeGatehouse({ signup: true });
    const res = await t.call('POST', '/api/auth/register/', {
      body: '<x/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('answers unknown paths with 404 and wrong methods with 405, in DRF’s words', async () => {
    const t = await makeGatehouse();
    expect((await t.call('GET', '/nope/')).body).toEqual({ detail: 'Not found.', code: 'not_found' });
    const res = await t.call('DELETE', '/api/me/');
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method "DELETE" not allowed.', code: 'method_not_allowed' });
  });
});

describe('register', () => {
  it('is refused when sign-up is disabled', async () => {
    const t = await makeGatehouse();
    const res = await t.call('POST', '/api/auth/register/', { body: { username: 'a', password: PW } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'signup_disabled' });
  });

  it('creates a user that can then authenticate', async () => {
    const t = await makeGatehouse({ signup: true, authentication: ['basic'] });
    const res = await t.call('POST', '/api/auth/register/', {
      body: { username: 'carol', password: PW, email: 'c@example.com' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username: 'carol', email: 'c@example.com', is_staff: false });
    expect(JSON.stringify(res.body)).not.toContain('argon2');
    const me = await t.call('GET', '/api/me/', { headers: { authorization: basicAuth('carol', PW) } });
    expect(me.status).toBe(200);
  });

  it('answers DRF field errors: required, validators, taken username, bad username', async () => {
    const t = await makeGatehouse({ signup: true });
    expect((await t.call('POST', '/api/auth/register/', { body: {} })).body).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
    const weak = await t.call('POST', '/api/auth/register/', {
      body: { username: 'dave', password: '12345' },
    });
    expect(weak.status).toBe(400);
    expect((weak.body as { password: string[] }).password).toEqual(
      expect.arrayContaining(['This password is too short. It must contain at least 8 characters.']),
    );
    await t.user('erin');
    const taken = await t.call('POST', '/api/auth/register/', { body: { username: 'erin', password: PW } });
    expect(taken.body).toEqual({ username: ['A user with that username already exists.'] });
    const bad = await t.call('POST', '/api/auth/register/', {
      body: { username: 'no spaces', password: PW },
    });
    expect((bad.body as { username: string[] }).username[0]).toMatch(/^Enter a valid username/);
  });
});

describe('logout-all', () => {
  it('needs authentication and ends every credential of the user', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    const u = await t.user('frank', PW);
    expect((await t.call('POST', '/api/auth/logout-all/')).status).toBe(401);
    const res = await t.call('POST', '/api/auth/logout-all/', {
      headers: { authorization: basicAuth('frank', PW) },
    });
    expect(res.status).toBe(204);
    const after = await t.stores.users.findById(u.id);
    expect(after?.tokensValidAfter).toBe(t.clock.now());
  });
});
