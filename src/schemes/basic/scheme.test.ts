import { describe, expect, it } from 'vitest';
import { basicAuth, makeGatehouse } from '../../../test/helpers/gatehouse.js';

const PW = 'correct horse battery staple';

describe('basic scheme (DRF BasicAuthentication on the wire)', () => {
  const setup = async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    await t.user('alice', PW);
    return t;
  };

  it('authenticates a user with the right password', async () => {
    const t = await setup();
    const res = await t.call('GET', '/api/me/', { headers: { authorization: basicAuth('alice', PW) } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'alice', auth: 'basic' });
  });

  it.each([
    ['Basic', 'Invalid basic header. No credentials provided.'],
    ['Basic a b', 'Invalid basic header. Credentials string should not contain spaces.'],
    ['Basic !!!notbase64', 'Invalid basic header. Credentials not correctly base64 encoded.'],
    [basicAuth('alice', 'wrong'), 'Invalid username/password.'],
    [basicAuth('nobody', PW), 'Invalid username/password.'],
  ])('%s → 401 "%s" with the Basic challenge', async (header, detail) => {
    const t = await setup();
    const res = await t.call('GET', '/api/me/', { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail, code: 'authentication_failed' });
    expect(res.headers['www-authenticate']).toBe('Basic realm="api"');
  });

  it('matches the keyword case-insensitively and leaves other schemes’ headers alone', async () => {
    const t = await setup();
    const lower = `basic ${basicAuth('alice', PW).slice(6)}`;
    expect((await t.call('GET', '/api/me/', { headers: { authorization: lower } })).status).toBe(200);
    const other = await t.call('GET', '/api/me/', { headers: { authorization: 'Token abc' } });
    expect(other.status).toBe(401);
    expect(other.body).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it('refuses an inactive user', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    await t.user('bob', PW, { isActive: false });
    const res = await t.call('GET', '/api/me/', { headers: { authorization: basicAuth('bob', PW) } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'User inactive or deleted.', code: 'authentication_failed' });
  });

  it('audits a failed Basic login as login_failed, like the other schemes', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    await t.user('alice', PW);
    await t.user('bob', PW, { isActive: false });
    for (const [name, password] of [
      ['alice', 'wrong'],
      ['nobody', PW],
      ['bob', PW],
      ['alice', PW],
    ] as const) {
      await t.call('GET', '/api/me/', {
        headers: { authorization: basicAuth(name, password) },
        ip: '198.51.100.4',
      });
    }
    const events = await t.stores.audit.list({ limit: 10 });
    expect(
      events
        .map((e) => ({ event: e.event, username: e.username, scheme: e.scheme, ip: e.ip, detail: e.detail }))
        .sort((a, b) => String(a.username).localeCompare(String(b.username))),
    ).toEqual([
      {
        event: 'login_failed',
        username: 'alice',
        scheme: 'basic',
        ip: '198.51.100.4',
        detail: { reason: 'invalid_credentials' },
      },
      {
        event: 'login_failed',
        username: 'bob',
        scheme: 'basic',
        ip: '198.51.100.4',
        detail: { reason: 'inactive' },
      },
      {
        event: 'login_failed',
        username: 'nobody',
        scheme: 'basic',
        ip: '198.51.100.4',
        detail: { reason: 'invalid_credentials' },
      },
    ]);
  });

  it('reads UTF-8 credentials', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    await t.user('zoë', 'pässwörd ünïcödé ✓');
    const res = await t.call('GET', '/api/me/', {
      headers: { authorization: basicAuth('zoë', 'pässwörd ünïcödé ✓') },
    });
    expect(res.status).toBe(200);
  });
});
