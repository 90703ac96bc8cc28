import { describe, expect, it } from 'vitest';
import { basic, send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

/** Obtains a key the DRF way: POST /api-token-auth/. */
async function obtainToken(t: RunningTarget, username: string): Promise<Record<string, string>> {
  const res = await send('POST', `${t.base}/api-token-auth/`, { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return { authorization: `Token ${(res.body as { token: string }).token}` };
}

describe.each(TARGETS)('API tokens on $name', (target) => {
  const t = useTarget(target, { authentication: ['token', 'basic'] });

  it('challenges an anonymous caller with the first scheme: Token', async () => {
    const res = await send('GET', `${t().base}/api/me/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Token');
  });

  it('obtains a token with DRF’s POST /api-token-auth/ and authenticates with it', async () => {
    await t().user('olga');
    const auth = await obtainToken(t(), 'olga');
    expect(auth.authorization).toMatch(/^Token gat_/);
    const me = await send('GET', `${t().base}/api/me/`, { headers: auth });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'olga', auth: 'token' });
  });

  it('refuses wrong credentials with DRF’s non_field_errors', async () => {
    await t().user('pete');
    const res = await send('POST', `${t().base}/api-token-auth/`, {
      body: { username: 'pete', password: 'no' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
  });

  it('refuses an unknown key with 401 and the challenge', async () => {
    const res = await send('GET', `${t().base}/api/me/`, { headers: { authorization: 'Token gat_nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Token');
    expect(res.body).toMatchObject({ code: 'authentication_failed' });
  });

  it('lists, creates and revokes the caller’s tokens; a revoked key stops at once', async () => {
    await t().user('quinn');
    const owner = basic('quinn', PASSWORD);
    const made = await send('POST', `${t().base}/api/auth/tokens/`, {
      headers: owner,
      body: { name: 'laptop' },
    });
    expect(made.status).toBe(201);
    const { id, key } = made.body as { id: string; key: string };
    const list = await send('GET', `${t().base}/api/auth/tokens`, { headers: owner });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ id, name: 'laptop' })]);
    expect(JSON.stringify(list.body)).not.toContain(key);
    const auth = { authorization: `Token ${key}` };
    expect((await send('GET', `${t().base}/api/me/`, { headers: auth })).status).toBe(200);
    const revoked = await send('DELETE', `${t().base}/api/auth/tokens/${id}/`, { headers: owner });
    expect(revoked.status).toBe(204);
    expect((await send('GET', `${t().base}/api/me/`, { headers: auth })).status).toBe(401);
    const again = await send('DELETE', `${t().base}/api/auth/tokens/${id}`, { headers: owner });
    expect(again.status).toBe(404);
  });

  it('ends every token at logout-all', async () => {
    await t().user('rita');
    const auth = await obtainToken(t(), 'rita');
    expect((await send('POST', `${t().base}/api/auth/logout-all/`, { headers: auth })).status).toBe(204);
    expect((await send('GET', `${t().base}/api/me/`, { headers: auth })).status).toBe(401);
  });
});
