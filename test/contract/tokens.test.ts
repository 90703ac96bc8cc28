import { describe, expect, it } from 'vitest';
import { send } from './http.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

const KEY = /^gat_[0-9A-Za-z]{49}$/;

describe.each(TARGETS)('API tokens on $name', (target) => {
  const t = useTarget(target, { authentication: ['token'], basic: false, tokens: { ttl: '1h' } });
  const token = (key: string) => ({ authorization: `Token ${key}` });
  const obtain = async (username: string) => {
    const res = await send('POST', `${t().base}/api-token-auth/`, {
      body: { username, password: PASSWORD, name: 'laptop' },
    });
    expect(res.status).toBe(200);
    return (res.body as { token: string }).token;
  };

  it('obtains a key with DRF’s request (JSON or form) and answers DRF’s 400 on failure', async () => {
    await t().user('alice');
    const key = await obtain('alice');
    expect(key).toMatch(KEY);
    const form = await send('POST', `${t().base}/api-token-auth`, {
      body: `username=alice&password=${encodeURIComponent(PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    const bad = await send('POST', `${t().base}/api-token-auth/`, {
      body: { username: 'alice', password: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
    const me = await send('GET', `${t().base}/api/me/`, { headers: token(key) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', auth: 'token' });
  });

  it.each([
    ['Token', 'Invalid token header. No credentials provided.'],
    ['token a b', 'Invalid token header. Token string should not contain spaces.'],
    // Sent as the raw bytes FF FE: not UTF-8.
    ['Token gat_\xff\xfe', 'Invalid token header. Token string should not contain invalid characters.'],
    // Sent as C3 A9: "é" in UTF-8, so text, but not a key.
    ['Token gat_\xc3\xa9', 'Invalid token.'],
    [`TOKEN gat_${'0'.repeat(49)}`, 'Invalid token.'],
  ])('%j over the wire → 401 "%s", WWW-Authenticate: Token', async (header, detail) => {
    const res = await send('GET', `${t().base}/api/me/`, { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail, code: 'authentication_failed' });
    expect(res.headers.get('www-authenticate')).toBe('Token');
  });

  it('lists, creates, rotates and revokes the caller’s tokens; expiry follows the clock', async () => {
    await t().user('bob');
    const key = await obtain('bob');
    const base = `${t().base}/api/auth/tokens`;
    const made = await send('POST', `${base}/`, {
      headers: token(key),
      body: { name: 'ci', scopes: ['deploy'] },
    });
    expect(made.status).toBe(201);
    const { id, key: ciKey } = made.body as { id: string; key: string };
    const list = await send('GET', base, { headers: token(key) });
    expect((list.body as Array<{ name: string }>).map((v) => v.name).sort()).toEqual(['ci', 'laptop']);
    expect(JSON.stringify(list.body)).not.toContain(ciKey);

    const rotated = await send('POST', `${base}/${id}/rotate/`, { headers: token(ciKey) });
    expect(rotated.status).toBe(200);
    const next = rotated.body as { id: string; key: string };
    expect((await send('GET', `${t().base}/api/me/`, { headers: token(ciKey) })).status).toBe(401);
    expect((await send('DELETE', `${base}/${next.id}`, { headers: token(key) })).status).toBe(204);
    expect((await send('GET', `${t().base}/api/me/`, { headers: token(next.key) })).status).toBe(401);

    t().clock.advance('1h');
    const expired = await send('GET', `${t().base}/api/me/`, { headers: token(key) });
    expect(expired.body).toEqual({ detail: 'Invalid token.', code: 'authentication_failed' });
  });
});
