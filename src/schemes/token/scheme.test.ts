import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeGatehouse, type TestGatehouse } from '../../../test/helpers/gatehouse.js';
import type { GatehouseConfigInput } from '../../core/config.js';
import { createAuthRequest } from '../../core/request.js';
import { deactivateUser } from '../../core/users.js';
import { generateApiKey } from '../../crypto/api-keys.js';
import { issueApiToken, revokeApiToken } from './issue.js';
import { tokenScheme } from './scheme.js';

const PW = 'correct horse battery staple';

/** Lets a fire-and-forget store write (last used, renewal) finish. */
const settle = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.restoreAllMocks();
});

async function setup(tokens: GatehouseConfigInput['tokens'] = {}) {
  const t = await makeGatehouse({ authentication: ['token'], basic: false, tokens });
  const alice = await t.user('alice', PW);
  const { key, token } = await issueApiToken(t.gh.ctx, alice, { name: 'laptop', via: 'cli' });
  const me = (k = key, keyword = 'Token') =>
    t.call('GET', '/api/me/', { headers: { authorization: `${keyword} ${k}` } });
  return { t, alice, key, token, me };
}

async function expectFailure(t: TestGatehouse, header: string, detail: string) {
  const res = await t.call('GET', '/api/me/', { headers: { authorization: header } });
  expect(res.status, header).toBe(401);
  expect(res.body).toEqual({ detail, code: 'authentication_failed' });
  expect(res.headers['www-authenticate']).toBe('Token');
}

describe('token scheme: DRF TokenAuthentication on the wire', () => {
  it('authenticates a valid key; auth is the token row without its digest', async () => {
    const { t, key, token, me } = await setup();
    const result = await t.gh.authenticate(
      createAuthRequest({ method: 'GET', url: '/', headers: { authorization: `Token ${key}` } }),
    );
    const res = await me();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'alice', auth: 'token' });
    expect(result?.scheme).toBe('token');
    expect(result?.auth).toEqual({
      id: token.id,
      userId: token.userId,
      name: 'laptop',
      prefix: key.slice(0, 8),
      scopes: [],
      createdAt: token.createdAt,
      lastUsedAt: null,
      expiresAt: token.expiresAt,
    });
    expect(result?.auth).not.toHaveProperty('digest');
  });

  it.each([
    ['Token', 'Invalid token header. No credentials provided.'],
    ['Token   ', 'Invalid token header. No credentials provided.'],
    ['Token a b', 'Invalid token header. Token string should not contain spaces.'],
    ['Token a\tb', 'Invalid token header. Token string should not contain spaces.'],
    // Latin-1 bytes that are not UTF-8, as node:http hands them over.
    ['Token gat_\xff\xfe', 'Invalid token header. Token string should not contain invalid characters.'],
    // Valid UTF-8 (é as two bytes) is text, just not a key.
    ['Token gat_\xc3\xa9', 'Invalid token.'],
    ['Token nonsense', 'Invalid token.'],
    ['Token 9f1c0a4e6b2d4c8e9a7b5c3d1e0f2a4b6c8d0e1f', 'Invalid token.'],
  ])('%j → 401 "%s" with WWW-Authenticate: Token', async (header, detail) => {
    const { t } = await setup();
    await expectFailure(t, header, detail);
  });

  it('refuses a typo by its checksum without a lookup, and an unknown well-formed key after one', async () => {
    const { t, key } = await setup();
    const lookups = vi.spyOn(t.stores.apiTokens, 'findByDigest');
    const typo = key.slice(0, 20) + (key[20] === 'x' ? 'y' : 'x') + key.slice(21);
    await expectFailure(t, `Token ${typo}`, 'Invalid token.');
    expect(lookups).not.toHaveBeenCalled();
    await expectFailure(t, `Token ${generateApiKey('gat_')}`, 'Invalid token.');
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('matches the keyword case-insensitively, and a configured keyword too', async () => {
    const { me } = await setup();
    for (const kw of ['token', 'TOKEN', 'tOkEn']) expect((await me(undefined, kw)).status).toBe(200);
    const custom = await setup({ keyword: 'ApiKey' });
    expect((await custom.me(undefined, 'apikey')).status).toBe(200);
    const res = await custom.me(undefined, 'Token');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'not_authenticated' });
    expect(res.headers['www-authenticate']).toBe('ApiKey');
  });

  it('leaves other schemes’ headers to them', async () => {
    const { t } = await setup();
    for (const header of ['Bearer eyJhbGciOi', 'Basic YWxpY2U6cHc=', 'Tokens abc', '']) {
      const res = await t.call('GET', '/api/me/', { headers: { authorization: header } });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'not_authenticated' });
    }
  });

  it('refuses an inactive user with DRF’s message, and a deactivated user’s tokens at once', async () => {
    const { t, alice, key } = await setup();
    await t.stores.users.setActive(alice.id, false);
    await expectFailure(t, `Token ${key}`, 'User inactive or deleted.');

    const other = await setup();
    expect((await other.me()).status).toBe(200);
    await deactivateUser(other.t.gh.ctx, other.alice);
    expect((await other.me()).status).toBe(401);
    expect(await other.t.stores.apiTokens.listForUser(other.alice.id)).toEqual([]);
  });

  it('refuses a token created before the user’s logout-everywhere instant', async () => {
    const { t, alice, key, me } = await setup();
    t.clock.advance('1s');
    await t.stores.users.setTokensValidAfter(alice.id, t.clock.now());
    await expectFailure(t, `Token ${key}`, 'Invalid token.');
    const fresh = await issueApiToken(t.gh.ctx, alice, { via: 'cli' });
    expect((await me(fresh.key)).status).toBe(200);
  });
});

describe('token lifetime', () => {
  it('expires after ttl (default 30 days), by the moved clock', async () => {
    const { t, key, me } = await setup();
    t.clock.advance('29d');
    expect((await me()).status).toBe(200);
    t.clock.advance('1d');
    await expectFailure(t, `Token ${key}`, 'Invalid token.');
  });

  it('never expires with ttl: null', async () => {
    const { t, token, me } = await setup({ ttl: null });
    expect(token.expiresAt).toBeNull();
    t.clock.advance('3650d');
    expect((await me()).status).toBe(200);
  });

  it('slides forward by the token’s own lifetime on use, up to maxAge', async () => {
    const { t, token, me } = await setup({ ttl: '1h', slidingRenewal: true, maxAge: '3h' });
    const start = token.createdAt;
    t.clock.advance('50m');
    expect((await me()).status).toBe(200);
    await settle();
    expect((await t.stores.apiTokens.findById(token.userId, token.id))?.expiresAt).toBe(start + 110 * 60_000);
    t.clock.advance('59m'); // 1h49m: past the first hour, inside the renewed one
    expect((await me()).status).toBe(200);
    await settle();
    t.clock.advance('59m'); // 2h48m
    expect((await me()).status).toBe(200);
    await settle();
    // Renewed to 3h48m but capped at 3h from creation.
    expect((await t.stores.apiTokens.findById(token.userId, token.id))?.expiresAt).toBe(start + 3 * 3600_000);
    t.clock.advance('12m'); // 3h00m
    expect((await me()).body).toMatchObject({ detail: 'Invalid token.' });
  });

  it('does not slide without slidingRenewal', async () => {
    const { t, token, me } = await setup({ ttl: '1h' });
    t.clock.advance('50m');
    expect((await me()).status).toBe(200);
    await settle();
    expect((await t.stores.apiTokens.findById(token.userId, token.id))?.expiresAt).toBe(token.expiresAt);
    t.clock.advance('10m');
    expect((await me()).status).toBe(401);
  });

  it('keeps a short token short: a one-hour token renews by one hour, not by ttl', async () => {
    const { t, alice } = await setup({ ttl: '30d', slidingRenewal: true });
    const { key, token } = await issueApiToken(t.gh.ctx, alice, { lifetime: 3600, via: 'cli' });
    t.clock.advance('30m');
    await t.call('GET', '/api/me/', { headers: { authorization: `Token ${key}` } });
    await settle();
    expect((await t.stores.apiTokens.findById(alice.id, token.id))?.expiresAt).toBe(t.clock.now() + 3600_000);
  });
});

describe('last used', () => {
  it('is written at most once a minute per token, off the response path', async () => {
    const { t, token, me } = await setup();
    const touch = vi.spyOn(t.stores.apiTokens, 'touch');
    for (let i = 0; i < 5; i++) expect((await me()).status).toBe(200);
    await settle();
    expect(touch).toHaveBeenCalledTimes(1);
    expect((await t.stores.apiTokens.findById(token.userId, token.id))?.lastUsedAt).toBe(t.clock.now());
    t.clock.advance('59s');
    for (let i = 0; i < 5; i++) await me();
    await settle();
    expect(touch).toHaveBeenCalledTimes(1);
    t.clock.advance('1s');
    await me();
    await settle();
    expect(touch).toHaveBeenCalledTimes(2);
  });

  it('makes one write for a burst of concurrent requests', async () => {
    const { t, me } = await setup();
    const touch = vi.spyOn(t.stores.apiTokens, 'touch');
    const results = await Promise.all(Array.from({ length: 20 }, () => me()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await settle();
    expect(touch).toHaveBeenCalledTimes(1);
  });

  it('never fails the request when the write fails', async () => {
    const { t, me } = await setup();
    const warn = vi.spyOn(t.gh.ctx.logger, 'warn');
    vi.spyOn(t.stores.apiTokens, 'touch').mockRejectedValue(new Error('disk full'));
    expect((await me()).status).toBe(200);
    await settle();
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ tokenId: expect.any(String) }),
      expect.any(String),
    );
  });
});

describe('the credential it owns', () => {
  const req = (key: string) =>
    createAuthRequest({ method: 'GET', url: '/', headers: { authorization: `Token ${key}` } });

  it('puts the scopes of a token made with them in the result, and none for a full-access token', async () => {
    const { t, alice, key } = await setup();
    const scoped = await issueApiToken(t.gh.ctx, alice, { scopes: ['notes:read'], via: 'cli' });
    const scheme = tokenScheme(t.gh.ctx);
    expect((await scheme.authenticate(req(scoped.key)))?.scopes).toEqual(['notes:read']);
    expect(await scheme.authenticate(req(key))).not.toHaveProperty('scopes');
  });

  it('is live until the token is revoked or its user logged out everywhere', async () => {
    const { t, alice, key, token } = await setup();
    const scheme = tokenScheme(t.gh.ctx);
    const result = (await scheme.authenticate(req(key)))!;
    expect(await scheme.isLive!(result)).toBe(true);
    await revokeApiToken(t.gh.ctx, alice, token.id);
    expect(await scheme.isLive!(result)).toBe(false);
    const other = await issueApiToken(t.gh.ctx, alice, { via: 'cli' });
    const second = (await scheme.authenticate(req(other.key)))!;
    await deactivateUser(t.gh.ctx, alice);
    expect(await scheme.isLive!(second)).toBe(false);
  });
});
