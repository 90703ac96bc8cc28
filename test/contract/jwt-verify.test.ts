import { describe, expect, it } from 'vitest';
import { type Answer, send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

interface Pair {
  access: string;
  refresh: string;
}

const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };

async function obtainPair(t: RunningTarget, username: string): Promise<Pair> {
  await t.user(username);
  const res = await send('POST', `${t.base}/api/token/`, { body: { username, password: PASSWORD } });
  expect(res.status).toBe(200);
  return res.body as Pair;
}

const verify = (t: RunningTarget, token: string): Promise<Answer> =>
  send('POST', `${t.base}/api/token/verify/`, { body: { token } });

const refresh = (t: RunningTarget, token: string): Promise<Answer> =>
  send('POST', `${t.base}/api/token/refresh/`, { body: { refresh: token } });

// A refresh token verifies exactly while it could still refresh, as simplejwt's verify refuses a
// token its rotation blacklisted.
describe.each(TARGETS)('/api/token/verify/ for a refresh token on $name', (target) => {
  const t = useTarget(target, { authentication: ['jwt'] });

  it('refuses one spent by rotation, and accepts the next one', async () => {
    const first = await obtainPair(t(), 'rhea');
    expect((await verify(t(), first.refresh)).status).toBe(200);
    t().clock.advance('1s');
    const next = (await refresh(t(), first.refresh)).body as Pair;
    const spent = await verify(t(), first.refresh);
    expect(spent.status).toBe(401);
    expect(spent.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(spent.body).toEqual(BLACKLISTED);
    expect((await verify(t(), next.refresh)).status).toBe(200);
  });

  it('refuses every token of a family revoked by a detected theft', async () => {
    const first = await obtainPair(t(), 'saul');
    t().clock.advance('1s');
    const next = (await refresh(t(), first.refresh)).body as Pair;
    t().clock.advance('10s'); // past jwt.reuseGraceSeconds
    expect((await refresh(t(), first.refresh)).status).toBe(401); // the replay revokes the family
    const res = await verify(t(), next.refresh);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(BLACKLISTED);
  });
});

describe.each(TARGETS)('/api/token/verify/ with stateless JWTs on $name', (target) => {
  const t = useTarget(target, { authentication: ['jwt'], jwt: { stateless: true } });

  it('refuses the refresh token of a user who logged out everywhere', async () => {
    const pair = await obtainPair(t(), 'tess');
    expect((await verify(t(), pair.refresh)).status).toBe(200);
    const out = await send('POST', `${t().base}/api/auth/logout-all/`, {
      headers: { authorization: `Bearer ${pair.access}` },
    });
    expect(out.status).toBe(204);
    expect((await refresh(t(), pair.refresh)).status).toBe(401);
    const res = await verify(t(), pair.refresh);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(BLACKLISTED);
  });
});

describe.each(TARGETS)('/api/token/verify/ without blacklistAfterRotation on $name', (target) => {
  const t = useTarget(target, { authentication: ['jwt'], jwt: { blacklistAfterRotation: false } });

  it('accepts a spent refresh token, which can still refresh (simplejwt’s looser rotation)', async () => {
    const first = await obtainPair(t(), 'uma');
    t().clock.advance('1s');
    expect((await refresh(t(), first.refresh)).status).toBe(200);
    expect((await verify(t(), first.refresh)).status).toBe(200);
    expect((await refresh(t(), first.refresh)).status).toBe(200);
  });
});
