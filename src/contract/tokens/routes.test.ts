import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeGatehouse, type TestGatehouse } from '../../../test/helpers/gatehouse.js';
import type { GatehouseConfigInput } from '../../core/config.js';
import { hasScope } from '../../core/permissions.js';
import { createAuthRequest } from '../../core/request.js';

const PW = 'correct horse battery staple';
const LOGIN_FAILED = { non_field_errors: ['Unable to log in with provided credentials.'] };

afterEach(() => {
  vi.restoreAllMocks();
});

async function setup(tokens: GatehouseConfigInput['tokens'] = {}) {
  const t = await makeGatehouse({ authentication: ['token'], basic: false, tokens });
  await t.user('alice', PW);
  await t.user('bob', PW);
  return t;
}

async function obtain(
  t: TestGatehouse,
  username = 'alice',
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await t.call('POST', '/api-token-auth/', { body: { username, password: PW }, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { token: string }).token;
}

const as = (key: string) => ({ authorization: `Token ${key}` });

interface View {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  key?: string;
  expiry: string | null;
  current: boolean;
}

describe('POST /api-token-auth/ (DRF obtain_auth_token)', () => {
  it('returns {token, expiry} for the right password, from JSON or a form', async () => {
    const t = await setup();
    const res = await t.call('POST', '/api-token-auth/', {
      body: { username: 'alice', password: PW },
      headers: { 'user-agent': 'NotesApp/2.1 (iPhone)' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^gat_[0-9A-Za-z]{49}$/),
      expiry: '2026-01-31T00:00:00.000Z',
    });
    const key = (res.body as { token: string }).token;
    expect((await t.call('GET', '/api/me/', { headers: as(key) })).body).toMatchObject({
      username: 'alice',
      auth: 'token',
    });
    const [row] = await t.stores.apiTokens.listForUser(1);
    expect(row?.name).toBe('NotesApp/2.1 (iPhone)');

    const form = await t.call('POST', '/api-token-auth/', {
      body: `username=alice&password=${encodeURIComponent(PW)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
  });

  it('makes a new device token on every obtain (DRF would hand back the same one)', async () => {
    const t = await setup();
    const [a, b] = [await obtain(t), await obtain(t)];
    expect(a).not.toBe(b);
    for (const key of [a, b])
      expect((await t.call('GET', '/api/me/', { headers: as(key) })).status).toBe(200);
  });

  it.each([
    ['a wrong password', { username: 'alice', password: 'wrong' }],
    ['an unknown user', { username: 'nobody', password: PW }],
    ['an inactive user', { username: 'carol', password: PW }],
  ])('answers %s with DRF’s 400 non_field_errors', async (_, body) => {
    const t = await setup();
    await t.user('carol', PW, { isActive: false });
    const res = await t.call('POST', '/api-token-auth/', { body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(LOGIN_FAILED);
    expect(await t.stores.apiTokens.listForUser(3)).toEqual([]);
  });

  it('answers missing and blank fields with DRF’s field errors', async () => {
    const t = await setup();
    const missing = await t.call('POST', '/api-token-auth/', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
    const blank = await t.call('POST', '/api-token-auth/', { body: { username: '  ', password: PW } });
    expect(blank.body).toEqual({ username: ['This field may not be blank.'] });
  });

  it('trims the username as DRF does, never the password', async () => {
    const t = await setup();
    const ok = await t.call('POST', '/api-token-auth/', { body: { username: ' alice ', password: PW } });
    expect(ok.status).toBe(200);
    const padded = await t.call('POST', '/api-token-auth/', {
      body: { username: 'alice', password: ` ${PW}` },
    });
    expect(padded.body).toEqual(LOGIN_FAILED);
  });

  it('audits the login, the new token and the failure, never the key', async () => {
    const t = await setup();
    const append = vi.spyOn(t.stores.audit, 'append');
    const key = await obtain(t);
    await t.call('POST', '/api-token-auth/', { body: { username: 'alice', password: 'nope' } });
    const events = append.mock.calls.map(([e]) => e);
    // The success is audited once the token exists and survived the ended-since re-check.
    expect(events.map((e) => e.event)).toEqual(['token_created', 'login_succeeded', 'login_failed']);
    expect(events[0]?.detail).toMatchObject({ via: 'obtain' });
    expect(JSON.stringify(events)).not.toContain(key);
  });
});

describe('/api/auth/tokens/', () => {
  it('lists the caller’s own live tokens, never a key or digest, marking the current one', async () => {
    const t = await setup();
    const a = await obtain(t);
    await obtain(t);
    await obtain(t, 'bob');
    t.clock.advance('1s');
    const res = await t.call('GET', '/api/auth/tokens/', { headers: as(a) });
    expect(res.status).toBe(200);
    const list = res.body as View[];
    expect(list).toHaveLength(2);
    expect(list.filter((v) => v.current)).toHaveLength(1);
    expect(list.find((v) => v.current)?.prefix).toBe(a.slice(0, 8));
    expect(Object.keys(list[0]!).sort()).toEqual(
      ['created', 'current', 'expiry', 'id', 'last_used', 'name', 'prefix', 'scopes'].sort(),
    );
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(a.slice(8, 40));
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('needs authentication (401 with the Token challenge)', async () => {
    const t = await setup();
    const res = await t.call('GET', '/api/auth/tokens/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Token');
  });

  it('creates a token with a name, lifetime and scopes, and shows its key once', async () => {
    const t = await setup();
    const a = await obtain(t);
    const res = await t.call('POST', '/api/auth/tokens/', {
      headers: as(a),
      body: { name: 'ci', expires_in: 3600, scopes: ['notes:read', 'notes:read', 'notes:write'] },
    });
    expect(res.status).toBe(201);
    const view = res.body as View;
    expect(view).toMatchObject({
      name: 'ci',
      scopes: ['notes:read', 'notes:write'],
      expiry: '2026-01-01T01:00:00.000Z',
    });
    expect(view.key).toMatch(/^gat_/);
    expect((await t.call('GET', '/api/me/', { headers: as(view.key!) })).status).toBe(200);
    const listed = (await t.call('GET', '/api/auth/tokens/', { headers: as(a) })).body as View[];
    expect(listed.find((v) => v.id === view.id)).not.toHaveProperty('key');
  });

  it.each([
    [{ expires_in: 0 }, { expires_in: ['Ensure this value is greater than or equal to 1.'] }],
    [{ expires_in: 1.5 }, { expires_in: ['A valid integer is required.'] }],
    [{ expires_in: null }, { expires_in: ['This field may not be null.'] }],
    [
      { expires_in: 400 * 86400 },
      { expires_in: [`Ensure this value is less than or equal to ${365 * 86400}.`] },
    ],
    [
      { scopes: ['has space'] },
      { 'scopes.0': ['Enter a valid scope: 1 to 64 letters, digits or . : / _ -.'] },
    ],
    [{ name: 'x'.repeat(101) }, { name: ['Ensure this field has no more than 100 characters.'] }],
  ])('refuses %j with DRF field errors', async (body, errors) => {
    const t = await setup({ maxAge: '365d' });
    const res = await t.call('POST', '/api/auth/tokens/', { headers: as(await obtain(t)), body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
  });

  it('allows expires_in: null (never) only when tokens.ttl is null', async () => {
    const t = await setup({ ttl: null });
    const res = await t.call('POST', '/api/auth/tokens/', {
      headers: as(await obtain(t)),
      body: { expires_in: null },
    });
    expect(res.status).toBe(201);
    expect((res.body as View).expiry).toBeNull();
  });

  it('with atLimit: refuse, enforces the per-user limit atomically; expired and revoked tokens free a slot', async () => {
    const t = await setup({ maxPerUser: 2, ttl: '1h', atLimit: 'refuse' });
    const a = await obtain(t);
    const create = () => t.call('POST', '/api/auth/tokens/', { headers: as(a), body: { expires_in: 60 } });
    const second = await create();
    expect(second.status).toBe(201);
    const third = await create();
    expect(third.status).toBe(403);
    expect(third.body).toEqual({
      detail: 'Maximum amount of tokens allowed per user exceeded (2). Revoke one to create another.',
      code: 'token_limit_reached',
    });
    const viaObtain = await t.call('POST', '/api-token-auth/', { body: { username: 'alice', password: PW } });
    expect(viaObtain.status).toBe(403);
    expect(await obtain(t, 'bob')).toMatch(/^gat_/); // the limit is per user
    const concurrent = await Promise.all([create(), create(), create()]);
    expect(concurrent.map((r) => r.status)).toEqual([403, 403, 403]);
    t.clock.advance('61s');
    expect((await create()).status).toBe(201);
    const id = ((await t.call('GET', '/api/auth/tokens/', { headers: as(a) })).body as View[]).find(
      (v) => !v.current,
    )!.id;
    expect((await t.call('DELETE', `/api/auth/tokens/${id}/`, { headers: as(a) })).status).toBe(204);
    expect((await create()).status).toBe(201);
  });

  it('at the limit, retires the least recently used token; a scoped token is refused instead', async () => {
    const t = await setup({ maxPerUser: 2 });
    const a = await obtain(t);
    t.clock.advance('1m');
    const b = await obtain(t);
    t.clock.advance('1m');
    const c = await obtain(t); // retires a, never used and the oldest
    expect((await t.call('GET', '/api/me/', { headers: as(a) })).status).toBe(401);
    const deploy = await t.call('POST', '/api/auth/tokens/', {
      headers: as(c),
      body: { scopes: ['deploy'] },
    });
    expect(deploy.status).toBe(201); // retires b
    expect((await t.call('GET', '/api/me/', { headers: as(b) })).status).toBe(401);
    // Ending another device's token is account management, which "deploy" does not grant.
    const res = await t.call('POST', '/api/auth/tokens/', {
      headers: as((deploy.body as View).key!),
      body: { scopes: ['deploy'] },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'token_limit_reached' });
    expect((await t.call('GET', '/api/me/', { headers: as(c) })).status).toBe(200);
  });

  it('revokes one of the caller’s own tokens (204), and 404s for another user’s or an unknown id', async () => {
    const t = await setup();
    const a = await obtain(t);
    const a2 = await obtain(t);
    const b = await obtain(t, 'bob');
    const ids = async (key: string) =>
      ((await t.call('GET', '/api/auth/tokens/', { headers: as(key) })).body as View[]).map((v) => v.id);
    const bobsId = (await ids(b))[0]!;
    const other = await t.call('DELETE', `/api/auth/tokens/${bobsId}/`, { headers: as(a) });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ detail: 'Not found.', code: 'not_found' });
    expect((await t.call('DELETE', '/api/auth/tokens/nope/', { headers: as(a) })).status).toBe(404);
    expect((await t.call('GET', '/api/me/', { headers: as(b) })).status).toBe(200);

    const a2Id = ((await t.call('GET', '/api/auth/tokens/', { headers: as(a2) })).body as View[]).find(
      (v) => v.current,
    )!.id;
    const res = await t.call('DELETE', `/api/auth/tokens/${a2Id}`, { headers: as(a) });
    expect(res.status).toBe(204);
    expect((await t.call('GET', '/api/me/', { headers: as(a2) })).body).toMatchObject({
      detail: 'Invalid token.',
    });
    expect((await t.call('GET', '/api/me/', { headers: as(a) })).status).toBe(200);
  });

  it('rotates: a new key with the same name and scopes, and the old key ends now', async () => {
    const t = await setup();
    const a = await obtain(t);
    const made = (
      await t.call('POST', '/api/auth/tokens/', { headers: as(a), body: { name: 'ci', scopes: ['deploy'] } })
    ).body as View;
    const res = await t.call('POST', `/api/auth/tokens/${made.id}/rotate/`, { headers: as(made.key!) });
    expect(res.status).toBe(200);
    const rotated = res.body as View;
    expect(rotated).toMatchObject({ name: 'ci', scopes: ['deploy'] });
    expect(rotated.id).not.toBe(made.id);
    expect(rotated.key).not.toBe(made.key);
    expect((await t.call('GET', '/api/me/', { headers: as(made.key!) })).status).toBe(401);
    expect((await t.call('GET', '/api/me/', { headers: as(rotated.key!) })).status).toBe(200);
    const b = await obtain(t, 'bob');
    expect((await t.call('POST', `/api/auth/tokens/${rotated.id}/rotate/`, { headers: as(b) })).status).toBe(
      404,
    );
  });

  it('rotates at the per-user limit', async () => {
    const t = await setup({ maxPerUser: 1 });
    const a = await obtain(t);
    const id = ((await t.call('GET', '/api/auth/tokens/', { headers: as(a) })).body as View[])[0]!.id;
    const res = await t.call('POST', `/api/auth/tokens/${id}/rotate/`, { headers: as(a) });
    expect(res.status).toBe(200);
  });

  it('ends every token at POST /api/auth/logout-all/', async () => {
    const t = await setup();
    const [a, a2, b] = [await obtain(t), await obtain(t), await obtain(t, 'bob')];
    expect((await t.call('POST', '/api/auth/logout-all/', { headers: as(a) })).status).toBe(204);
    for (const key of [a, a2])
      expect((await t.call('GET', '/api/me/', { headers: as(key) })).status).toBe(401);
    expect((await t.call('GET', '/api/me/', { headers: as(b) })).status).toBe(200);
    expect(await obtain(t)).toMatch(/^gat_/); // and a new login works at once
  });
});

describe('scopes', () => {
  const check = async (t: TestGatehouse, key: string, scope: string) => {
    const req = createAuthRequest({ method: 'POST', url: '/notes', headers: as(key) });
    return hasScope(scope).has(req, await t.gh.authenticate(req));
  };

  it('hasScope passes for a listed scope, fails for another; a token without scopes has full access', async () => {
    const t = await setup();
    const full = await obtain(t);
    const scoped = (
      (await t.call('POST', '/api/auth/tokens/', { headers: as(full), body: { scopes: ['notes:read'] } }))
        .body as View
    ).key!;
    expect(await check(t, scoped, 'notes:read')).toBe(true);
    expect(await check(t, scoped, 'notes:write')).toBe(false);
    expect(await check(t, full, 'notes:write')).toBe(true);
    expect(
      await hasScope('notes:read').has(createAuthRequest({ method: 'GET', url: '/', headers: {} }), null),
    ).toBe(false);
  });

  it('a scoped token cannot mint or rotate into broader access', async () => {
    const t = await setup();
    const full = await obtain(t);
    const mk = (key: string, body: object) => t.call('POST', '/api/auth/tokens/', { headers: as(key), body });
    const scoped = ((await mk(full, { scopes: ['notes:read', 'notes:write'] })).body as View).key!;
    for (const body of [{}, { scopes: [] }, { scopes: ['admin'] }, { scopes: ['notes:read', 'admin'] }]) {
      const res = await mk(scoped, body);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body).toMatchObject({ code: 'insufficient_scope' });
    }
    expect((await mk(scoped, { scopes: ['notes:read'] })).status).toBe(201);
    const fullId = ((await t.call('GET', '/api/auth/tokens/', { headers: as(full) })).body as View[]).find(
      (v) => v.current,
    )!.id;
    const rotate = await t.call('POST', `/api/auth/tokens/${fullId}/rotate/`, { headers: as(scoped) });
    expect(rotate.status).toBe(403);
    expect((await t.call('GET', '/api/me/', { headers: as(full) })).status).toBe(200);
  });
});
