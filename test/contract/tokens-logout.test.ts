import { describe, expect, it } from 'vitest';
import { send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

// POST /api/auth/logout/ ends the credential it came with, for every scheme (knox's and
// dj-rest-auth's logout), and a client that obtains a token at every start is never locked out.

const tokenAuth = (key: string) => ({ authorization: `Token ${key}` });
const bearer = (access: string) => ({ authorization: `Bearer ${access}` });

async function obtainKey(t: RunningTarget, username: string): Promise<string> {
  const res = await send('POST', `${t.base}/api-token-auth/`, { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return (res.body as { token: string }).token;
}

async function obtainPair(t: RunningTarget, username: string): Promise<{ access: string; refresh: string }> {
  const res = await send('POST', `${t.base}/api/token/`, { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return res.body as { access: string; refresh: string };
}

describe.each(TARGETS)('logout of tokens on $name', (target) => {
  const t = useTarget(target, { authentication: ['token', 'jwt'], tokens: { maxPerUser: 3 } });

  it('with Authorization: Token revokes that token, and only that one', async () => {
    await t().user('lou');
    const key = await obtainKey(t(), 'lou');
    const other = await obtainKey(t(), 'lou');
    const out = await send('POST', `${t().base}/api/auth/logout/`, { headers: tokenAuth(key) });
    expect(out.status).toBe(204);
    const after = await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(key) });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: 'Invalid token.', code: 'authentication_failed' });
    expect((await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(other) })).status).toBe(200);
    const events = await t().gh.ctx.stores.audit.list({ limit: 50 });
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'token_revoked',
        detail: expect.objectContaining({ reason: 'logout' }),
      }),
    );
  });

  it('with a Bearer access token and {"refresh"} blacklists that refresh token', async () => {
    await t().user('max');
    const pair = await obtainPair(t(), 'max');
    const out = await send('POST', `${t().base}/api/auth/logout/`, {
      headers: bearer(pair.access),
      body: { refresh: pair.refresh },
    });
    expect(out.status).toBe(204);
    const refreshed = await send('POST', `${t().base}/api/token/refresh/`, {
      body: { refresh: pair.refresh },
    });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body).toMatchObject({ code: 'token_not_valid' });
  });

  it('with a Bearer access token refuses a missing refresh, and another user’s, ending nothing', async () => {
    await t().user('ned');
    await t().user('ola');
    const mine = await obtainPair(t(), 'ned');
    const theirs = await obtainPair(t(), 'ola');
    const missing = await send('POST', `${t().base}/api/auth/logout/`, { headers: bearer(mine.access) });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ refresh: ['This field is required.'] });
    const foreign = await send('POST', `${t().base}/api/auth/logout/`, {
      headers: bearer(mine.access),
      body: { refresh: theirs.refresh },
    });
    expect(foreign.status).toBe(401);
    expect(foreign.body).toMatchObject({ code: 'token_not_valid' });
    const still = await send('POST', `${t().base}/api/token/refresh/`, { body: { refresh: theirs.refresh } });
    expect(still.status).toBe(200);
  });

  it('retires the least recently used token when an obtain reaches the limit, audited', async () => {
    const pia = await t().user('pia');
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      keys.push(await obtainKey(t(), 'pia'));
      t().clock.advance('2m');
    }
    // Used since: the first is no longer the least recently used; the second is.
    expect((await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(keys[0]!) })).status).toBe(200);
    await expect
      .poll(async () =>
        (await t().gh.ctx.stores.apiTokens.listForUser(pia.id)).some((r) => r.lastUsedAt !== null),
      )
      .toBe(true);
    const fourth = await obtainKey(t(), 'pia');
    const status = async (key: string) =>
      (await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(key) })).status;
    expect(await status(keys[1]!)).toBe(401);
    for (const key of [keys[0]!, keys[2]!, fourth]) expect(await status(key)).toBe(200);
    const events = await t().gh.ctx.stores.audit.list({ userId: pia.id, limit: 50 });
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'token_revoked',
        detail: expect.objectContaining({ reason: 'retired_at_limit' }),
      }),
    );
  });
});

describe.each(TARGETS)('the per-user limit with tokens.atLimit: refuse on $name', (target) => {
  const t = useTarget(target, { authentication: ['token'], tokens: { maxPerUser: 1, atLimit: 'refuse' } });

  it('answers 403 token_limit_reached and keeps the token there is', async () => {
    await t().user('quin');
    const key = await obtainKey(t(), 'quin');
    const res = await send('POST', `${t().base}/api-token-auth/`, {
      body: { username: 'quin', password: PASSWORD },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'token_limit_reached' });
    expect((await send('GET', `${t().base}/api/me/`, { headers: tokenAuth(key) })).status).toBe(200);
  });
});

describe.each(TARGETS)('logout of a sliding token on $name', (target) => {
  const t = useTarget(target, { authentication: ['jwt'], jwt: { authTokenTypes: ['sliding'] } });

  it('blacklists the sliding token it is sent with', async () => {
    await t().user('rex');
    const res = await send('POST', `${t().base}/api/token/sliding/`, {
      body: { username: 'rex', password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const { token } = res.body as { token: string };
    expect((await send('GET', `${t().base}/api/me/`, { headers: bearer(token) })).status).toBe(200);
    expect((await send('POST', `${t().base}/api/auth/logout/`, { headers: bearer(token) })).status).toBe(204);
    const after = await send('GET', `${t().base}/api/me/`, { headers: bearer(token) });
    expect(after.status).toBe(401);
    const renewed = await send('POST', `${t().base}/api/token/sliding/refresh/`, { body: { token } });
    expect(renewed.status).toBe(401);
  });
});
