import { describe, expect, it } from 'vitest';
import { send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

interface Pair {
  access: string;
  refresh: string;
}

async function obtainPair(t: RunningTarget, username: string): Promise<Pair> {
  const res = await send('POST', `${t.base}/api/token/`, { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return res.body as Pair;
}

const bearer = (access: string) => ({ authorization: `Bearer ${access}` });

describe.each(TARGETS)('JWT (simplejwt wire) on $name', (target) => {
  const t = useTarget(target, { authentication: ['jwt', 'token', 'basic'] });

  it('challenges an anonymous caller with Bearer realm="api"', async () => {
    const res = await send('GET', `${t().base}/api/me/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('obtains a pair and authenticates with the access token', async () => {
    await t().user('vera');
    const pair = await obtainPair(t(), 'vera');
    const me = await send('GET', `${t().base}/api/me/`, { headers: bearer(pair.access) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'vera', auth: 'jwt' });
  });

  it('refuses wrong credentials with simplejwt’s no_active_account', async () => {
    await t().user('walt');
    const res = await send('POST', `${t().base}/api/token/`, {
      body: { username: 'walt', password: 'nope' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'no_active_account' });
  });

  it('verifies tokens, and refuses a tampered one with token_not_valid', async () => {
    await t().user('xena');
    const { access } = await obtainPair(t(), 'xena');
    const ok = await send('POST', `${t().base}/api/token/verify/`, { body: { token: access } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    const bad = await send('POST', `${t().base}/api/token/verify/`, { body: { token: `${access}x` } });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ code: 'token_not_valid' });
    const me = await send('GET', `${t().base}/api/me/`, { headers: bearer(`${access}x`) });
    expect(me.status).toBe(401);
  });

  it('rotates refresh tokens, and a replayed one revokes its family', async () => {
    await t().user('yuri');
    const first = await obtainPair(t(), 'yuri');
    t().clock.advance('1s');
    const refreshed = await send('POST', `${t().base}/api/token/refresh/`, {
      body: { refresh: first.refresh },
    });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as Pair;
    expect(next.access).toBeTruthy();
    expect(next.refresh).toBeTruthy();
    t().clock.advance('10s'); // past jwt.reuseGraceSeconds: reuse, not a tab's concurrent refresh
    const replay = await send('POST', `${t().base}/api/token/refresh/`, { body: { refresh: first.refresh } });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ code: 'token_not_valid' });
    const afterTheft = await send('POST', `${t().base}/api/token/refresh/`, {
      body: { refresh: next.refresh },
    });
    expect(afterTheft.status).toBe(401);
  });

  it('blacklists a refresh token at logout', async () => {
    await t().user('zoe');
    const pair = await obtainPair(t(), 'zoe');
    const out = await send('POST', `${t().base}/api/token/blacklist/`, { body: { refresh: pair.refresh } });
    expect(out.status).toBe(200);
    const res = await send('POST', `${t().base}/api/token/refresh/`, { body: { refresh: pair.refresh } });
    expect(res.status).toBe(401);
  });

  it('ends issued access tokens at logout-all', async () => {
    await t().user('abe');
    const pair = await obtainPair(t(), 'abe');
    t().clock.advance('1s');
    const res = await send('POST', `${t().base}/api/auth/logout-all/`, { headers: bearer(pair.access) });
    expect(res.status).toBe(204);
    expect((await send('GET', `${t().base}/api/me/`, { headers: bearer(pair.access) })).status).toBe(401);
    const refresh = await send('POST', `${t().base}/api/token/refresh/`, { body: { refresh: pair.refresh } });
    expect(refresh.status).toBe(401);
  });

  it('publishes a JWK set (empty for HMAC keys), cacheable by anyone', async () => {
    const res = await send('GET', `${t().base}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keys: [] });
  });
});
