import { describe, expect, it } from 'vitest';
import { send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

// A token made with scopes acts within them: managing the account (sessions, other tokens,
// logout-all, the password) needs the `account` scope (docs/tokens.md, "Scopes").

const tokenAuth = (key: string) => ({ authorization: `Token ${key}` });
const DENIED = {
  detail:
    'This token cannot manage the account: that needs a token without scopes or with the "account" scope.',
  code: 'insufficient_scope',
};

async function obtainKey(t: RunningTarget, username: string): Promise<string> {
  const res = await send('POST', `${t.base}/api-token-auth/`, { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return (res.body as { token: string }).token;
}

async function scoped(
  t: RunningTarget,
  owner: string,
  scopes: string[],
): Promise<{ id: string; key: string }> {
  const res = await send('POST', `${t.base}/api/auth/tokens/`, {
    headers: tokenAuth(owner),
    body: { scopes },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string };
}

describe.each(TARGETS)('a scoped token and the account on $name', (target) => {
  const t = useTarget(target, { authentication: ['session', 'token'] });

  it('refuses every account-management route to a token scoped to "deploy"', async () => {
    await t().user('dora');
    const full = await obtainKey(t(), 'dora');
    const fullId = (
      (await send('GET', `${t().base}/api/auth/tokens/`, { headers: tokenAuth(full) })).body as {
        id: string;
      }[]
    )[0]!.id;
    const deploy = await scoped(t(), full, ['deploy']);
    const as = tokenAuth(deploy.key);
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/api/auth/sessions/'],
      ['DELETE', '/api/auth/sessions/some-id/'],
      ['GET', '/api/auth/tokens/'],
      ['DELETE', `/api/auth/tokens/${fullId}/`],
      ['POST', `/api/auth/tokens/${fullId}/rotate/`, {}],
      ['POST', '/api/auth/logout-all/'],
      ['POST', '/api/auth/password/', { old_password: PASSWORD, new_password: 'another long passphrase 42' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await send(method, `${t().base}${path}`, { headers: as, body });
      expect([method, path, res.status, res.body]).toEqual([method, path, 403, DENIED]);
    }
    // Nothing was ended: the full-access token and the scoped one both still work.
    expect((await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(full) })).status).toBe(200);
    expect((await send('GET', `${t().base}/api/me/`, { headers: as })).status).toBe(200);
    // Within its scopes it may still mint a narrower token, and end itself.
    expect(
      (await send('POST', `${t().base}/api/auth/tokens/`, { headers: as, body: { scopes: ['deploy'] } }))
        .status,
    ).toBe(201);
    expect((await send('DELETE', `${t().base}/api/auth/tokens/${deploy.id}/`, { headers: as })).status).toBe(
      204,
    );
    expect((await send('GET', `${t().base}/api/me/`, { headers: as })).status).toBe(401);
  });

  it('lets a token with the "account" scope manage the account', async () => {
    await t().user('enzo');
    const full = await obtainKey(t(), 'enzo');
    const other = await obtainKey(t(), 'enzo');
    const otherId = (
      (await send('GET', `${t().base}/api/auth/tokens/`, { headers: tokenAuth(other) })).body as {
        id: string;
        current: boolean;
      }[]
    ).find((v) => v.current)!.id;
    const manager = tokenAuth((await scoped(t(), full, ['account'])).key);
    expect((await send('GET', `${t().base}/api/auth/sessions/`, { headers: manager })).status).toBe(200);
    expect((await send('GET', `${t().base}/api/auth/tokens/`, { headers: manager })).status).toBe(200);
    expect(
      (await send('DELETE', `${t().base}/api/auth/tokens/${otherId}/`, { headers: manager })).status,
    ).toBe(204);
    expect((await send('POST', `${t().base}/api/auth/logout-all/`, { headers: manager })).status).toBe(204);
    expect((await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(full) })).status).toBe(401);
  });
});
