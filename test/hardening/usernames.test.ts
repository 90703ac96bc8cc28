/**
 * Usernames as every endpoint that takes one sees them: NFKC normalised (a look-alike signs in as
 * the user it imitates and shares its throttle), and refused past 150 characters or with a NUL
 * before anything is looked up, throttled, stored or logged.
 */
import { describe, expect, it } from 'vitest';
import { basicAuth, makeGatehouse } from '../helpers/gatehouse.js';

const PW = 'correct horse battery staple';
const LONG = 'x'.repeat(60_000);
const TOO_LONG = { username: ['Ensure this field has no more than 150 characters.'] };

const LOGINS = ['/api-token-auth/', '/api/token/'] as const;

describe('usernames at every endpoint', () => {
  const setup = async () => {
    const t = await makeGatehouse({ authentication: ['session', 'token', 'jwt', 'basic'] });
    const admin = await t.user('admin', PW);
    return { t, admin };
  };

  it.each(LOGINS)('%s signs a look-alike (ａｄｍｉｎ) in as the user it normalises to', async (path) => {
    const { t } = await setup();
    const res = await t.call('POST', path, { body: { username: 'ａｄｍｉｎ', password: PW } });
    expect(res.status).toBe(200);
  });

  it.each(LOGINS)(
    '%s refuses a 60,000-character or NUL username with 400, audits and throttles nothing',
    async (path) => {
      const { t } = await setup();
      const long = await t.call('POST', path, { body: { username: LONG, password: PW } });
      expect(long.status).toBe(400);
      expect(long.body).toEqual(TOO_LONG);
      const nul = await t.call('POST', path, { body: { username: 'ad\0min', password: PW } });
      expect(nul.status).toBe(400);
      expect(nul.body).toEqual({ username: ['Null characters are not allowed.'] });
      expect(await t.stores.audit.list({ limit: 10 })).toEqual([]);
    },
  );

  it('register refuses a look-alike of a taken name and a NUL', async () => {
    const t = await makeGatehouse({ signup: true });
    await t.user('admin', PW);
    await t.user('adIin', PW);
    for (const username of ['ａｄｍｉｎ', 'adⅠin']) {
      const res = await t.call('POST', '/api/auth/register/', { body: { username, password: PW } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ username: ['A user with that username already exists.'] });
    }
    const nul = await t.call('POST', '/api/auth/register/', { body: { username: 'ad\0min', password: PW } });
    expect(nul.status).toBe(400);
    expect(await t.stores.users.count()).toBe(2);
  });

  it('Basic normalises too, and refuses an over-long name before the throttle and the audit trail', async () => {
    const { t } = await setup();
    const ok = await t.call('GET', '/api/me/', { headers: { authorization: basicAuth('ａｄｍｉｎ', PW) } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ username: 'admin' });
    for (const name of [LONG, 'ad\0min']) {
      const res = await t.call('GET', '/api/me/', { headers: { authorization: basicAuth(name, PW) } });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ detail: 'Invalid username/password.' });
    }
    expect(JSON.stringify(await t.stores.audit.list({ limit: 10 }))).not.toContain('xxxxxxxxxx');
  });
});
