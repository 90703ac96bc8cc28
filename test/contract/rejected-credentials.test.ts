import { describe, expect, it } from 'vitest';
import { basic, Jar, send } from './http.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

const BEARER = 'Bearer realm="api"';

/** simplejwt's body for an access token that does not verify (its `messages` list included). */
const expiredBody = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' }],
};

// The default order, session first: DRF would answer every refusal 403 without a challenge.
describe.each(TARGETS)('a rejected credential on $name (session first)', (target) => {
  const t = useTarget(target, { authentication: ['session', 'token', 'jwt', 'basic'] });

  const access = async (username: string): Promise<string> => {
    await t().user(username);
    const res = await send('POST', `${t().base}/api/token/`, { body: { username, password: PASSWORD } });
    expect(res.status).toBe(200);
    return (res.body as { access: string }).access;
  };

  it('answers an expired Bearer token 401 with the Bearer challenge and simplejwt’s full body', async () => {
    const token = await access('ines');
    t().clock.advance('1d');
    const res = await send('GET', `${t().base}/api/me/`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(BEARER);
    expect(res.body).toEqual(expiredBody);
  });

  it('answers a malformed Bearer header 401 bad_authorization_header', async () => {
    const res = await send('GET', `${t().base}/api/me/`, { headers: { authorization: 'Bearer a b' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(BEARER);
    expect(res.body).toMatchObject({ code: 'bad_authorization_header' });
  });

  it('answers a wrong API token 401 with the Token challenge', async () => {
    const res = await send('POST', `${t().base}/api/auth/logout-all/`, {
      headers: { authorization: 'Token 0123456789abcdef' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Token');
    expect(res.body).toEqual({ detail: 'Invalid token.', code: 'authentication_failed' });
  });

  it('answers a wrong Basic password 401 with the Basic challenge', async () => {
    await t().user('jules');
    const res = await send('GET', `${t().base}/api/me/`, { headers: basic('jules', 'wrong') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="api"');
    expect(res.body).toEqual({ detail: 'Invalid username/password.', code: 'authentication_failed' });
  });

  it('keeps DRF’s 403 without a challenge for a request that carried no credential', async () => {
    const res = await send('GET', `${t().base}/api/me/`);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.body).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });
});

describe.each(TARGETS)('an expired jwt-access cookie on $name (session first)', (target) => {
  const t = useTarget(target, { authentication: ['session', 'token', 'jwt'], jwt: { cookie: true } });

  it('is answered 401 with the Bearer challenge, so the page refreshes', async () => {
    await t().user('kira');
    const jar = new Jar();
    jar.take(await send('GET', `${t().base}/api/auth/csrf/`));
    const headers = { origin: t().origin, 'x-csrftoken': jar.get('csrftoken') ?? '', cookie: jar.header() };
    const obtained = await send('POST', `${t().base}/api/token/`, {
      headers,
      body: { username: 'kira', password: PASSWORD },
    });
    expect(obtained.status).toBe(200);
    jar.take(obtained);
    expect(jar.get('jwt-access')).toBeTruthy();
    t().clock.advance('1d');
    const res = await send('GET', `${t().base}/api/me/`, { headers: { cookie: jar.header() } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(BEARER);
    expect(res.body).toEqual(expiredBody);
  });
});
