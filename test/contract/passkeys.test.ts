import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { type Answer, browse, Jar, send } from './http.js';
import { PASSKEY_ORIGIN, PASSKEY_RP_ID, passkeyMfa } from './passkey-config.js';
import { type SoftCredential, softAuthenticator } from './soft-authenticator.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

// Passkeys (docs/mfa.md) on the server and every adapter, driven by a software authenticator
// that makes the browser's bytes: registration, passwordless sign-in answered like each login
// route, and the refusals (bad bodies, a wrong or spent challenge, another origin, an unknown
// credential, a sign counter that does not advance).

type Options = { challenge: string; user: { id: string } };

function expectAnswer(res: Answer, status: number): Answer {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
}

describe.each(TARGETS)('passkeys on $name', (target) => {
  const t = useTarget(target, { authentication: ['session', 'token', 'jwt'], mfa: passkeyMfa });
  const url = (path: string) => `${t().base}${path}`;
  const device = softAuthenticator(PASSKEY_RP_ID, PASSKEY_ORIGIN);

  /** A signed-in browser for a new user. */
  async function signedIn(name: string): Promise<Jar> {
    await t().user(name);
    const jar = new Jar();
    await browse(jar, t().origin, 'GET', url('/api/auth/csrf/'));
    const login = { body: { username: name, password: PASSWORD } };
    expectAnswer(await browse(jar, t().origin, 'POST', url('/api/auth/login/'), login), 200);
    return jar;
  }
  const post = (jar: Jar, path: string, body?: unknown) =>
    browse(jar, t().origin, 'POST', url(path), body === undefined ? {} : { body });

  /** A user with a passkey registered through the routes. */
  async function registered(name: string): Promise<{ jar: Jar; credential: SoftCredential }> {
    const jar = await signedIn(name);
    const options = expectAnswer(await post(jar, '/api/auth/passkeys/register/options/'), 200)
      .body as Options;
    expect(options).toMatchObject({ rp: { id: PASSKEY_RP_ID }, user: { name } });
    const { response, credential } = device.register(options);
    const added = await post(jar, '/api/auth/passkeys/register/verify/', { ...response, name: 'laptop' });
    expect(expectAnswer(added, 201).body).toMatchObject({ id: response.id, name: 'laptop', last_used: null });
    return { jar, credential };
  }
  const loginOptions = async (): Promise<Options> =>
    expectAnswer(await send('POST', url('/api/auth/passkeys/login/options/')), 200).body as Options;
  const verifyLogin = (body: unknown, jar = new Jar()) => post(jar, '/api/auth/passkeys/login/verify/', body);

  it('registers a passkey, lists it, and signs in with it as each login route would answer', async () => {
    const { jar, credential } = await registered('alice');
    const status = expectAnswer(await browse(jar, t().origin, 'GET', url('/api/auth/mfa/')), 200);
    expect(status.body).toMatchObject({
      totp: false,
      passkeys: [{ id: credential.id.toString('base64url') }],
    });

    const token = await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' });
    expect(expectAnswer(token, 200).body).toMatchObject({ token: expect.any(String) });
    const jwt = await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'jwt' });
    expect(expectAnswer(jwt, 200).body).toMatchObject({
      access: expect.any(String),
      refresh: expect.any(String),
    });
    const me = await send('GET', url('/api/me/'), {
      headers: { authorization: `Bearer ${(jwt.body as { access: string }).access}` },
    });
    expect(expectAnswer(me, 200).body).toMatchObject({ username: 'alice' });

    const browser = new Jar();
    await browse(browser, t().origin, 'GET', url('/api/auth/csrf/'));
    const session = await verifyLogin(
      { ...device.assert(await loginOptions(), credential), issue: 'session' },
      browser,
    );
    expect(expectAnswer(session, 200).body).toMatchObject({ username: 'alice' });
    expectAnswer(await browse(browser, t().origin, 'GET', url('/api/me/')), 200);
    const used = expectAnswer(await browse(jar, t().origin, 'GET', url('/api/auth/mfa/')), 200);
    expect(
      (used.body as { passkeys: Array<{ last_used: string | null }> }).passkeys[0]!.last_used,
    ).not.toBeNull();
  });

  it('refuses bodies that are not a WebAuthn response, with field errors', async () => {
    const jar = await signedIn('bob');
    const bad = expectAnswer(await post(jar, '/api/auth/passkeys/register/verify/', { id: 'x' }), 400);
    expect(bad.body).toHaveProperty('response');
    const notJson = await browse(jar, t().origin, 'POST', url('/api/auth/passkeys/login/verify/'), {
      body: '{"id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(expectAnswer(notJson, 400).body).toMatchObject({ code: 'parse_error' });
    const noIssue = await verifyLogin({
      ...device.assert(await loginOptions(), fakeCredential()),
      issue: 'cookie',
    });
    expect(expectAnswer(noIssue, 400).body).toHaveProperty('issue');
  });

  it('refuses a wrong, spent or foreign challenge, another origin and an unknown credential', async () => {
    const { jar, credential } = await registered('carol');
    // A challenge the server never made.
    const made = device.assert({ challenge: 'bm90LWEtY2hhbGxlbmdl' }, credential);
    expect(expectAnswer(await verifyLogin({ ...made, issue: 'token' }), 400).body).toMatchObject({
      code: 'passkey_invalid',
    });
    // A registration challenge does not sign anyone in.
    const reg = (await post(jar, '/api/auth/passkeys/register/options/')).body as Options;
    const crossed = await verifyLogin({ ...device.assert(reg, credential), issue: 'token' });
    expect(expectAnswer(crossed, 400).body).toMatchObject({ code: 'passkey_invalid' });
    // Another origin: the challenge is spent all the same.
    const options = await loginOptions();
    const phished = device.assert(options, credential, 'https://gatehouse.test.evil.example');
    expect(expectAnswer(await verifyLogin({ ...phished, issue: 'token' }), 400).body).toMatchObject({
      code: 'passkey_invalid',
    });
    const retry = await verifyLogin({ ...device.assert(options, credential), issue: 'token' });
    expect(expectAnswer(retry, 400).body).toMatchObject({ code: 'passkey_invalid' });
    // A credential no user registered.
    const unknown = await verifyLogin({
      ...device.assert(await loginOptions(), fakeCredential()),
      issue: 'token',
    });
    expect(expectAnswer(unknown, 400).body).toMatchObject({ code: 'passkey_invalid' });
    // The right assertion still works after all that.
    expectAnswer(
      await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' }),
      200,
    );
  });

  it('refuses a cloned authenticator whose sign counter does not advance, and audits it', async () => {
    const { credential } = await registered('dave');
    expectAnswer(
      await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' }),
      200,
    );
    expectAnswer(
      await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' }),
      200,
    );
    // The copy still counts from where it was copied: 1, behind the 2 the server saw.
    const clone = { ...credential, signCount: 0 };
    const refused = await verifyLogin({ ...device.assert(await loginOptions(), clone), issue: 'token' });
    expect(expectAnswer(refused, 400).body).toMatchObject({ code: 'passkey_cloned' });
    const user = await t().gh.ctx.stores.users.findByUsername('dave');
    const events = await t().gh.ctx.stores.audit.list({ userId: user!.id, limit: 50 });
    expect(events.map((e) => e.event)).toContain('passkey_cloned');
  });

  it('removes a passkey (then it signs no one in), and only the owner may', async () => {
    const { jar, credential } = await registered('erin');
    const id = credential.id.toString('base64url');
    const other = await signedIn('frank');
    expectAnswer(await browse(other, t().origin, 'DELETE', url(`/api/auth/passkeys/${id}/`)), 404);
    expectAnswer(await browse(jar, t().origin, 'DELETE', url(`/api/auth/passkeys/${id}/`)), 204);
    const gone = await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' });
    expect(expectAnswer(gone, 400).body).toMatchObject({ code: 'passkey_invalid' });
  });

  it('takes a passkey as the second step of mfa_required, only the same user’s', async () => {
    const { jar, credential } = await registered('hana');
    const setup = await post(jar, '/api/auth/mfa/totp/setup/', { password: PASSWORD });
    const { secret } = expectAnswer(setup, 200).body as { secret: string };
    t().clock.advance('30s');
    const code = await generate({ secret, epoch: Math.floor(t().clock.now() / 1000) });
    expectAnswer(await post(jar, '/api/auth/mfa/totp/confirm/', { code }), 200);
    const other = await registered('ivan');

    const first = async () => {
      const res = await send('POST', url('/api/token/'), { body: { username: 'hana', password: PASSWORD } });
      expect(expectAnswer(res, 401).body).toMatchObject({
        code: 'mfa_required',
        methods: ['totp', 'recovery_code', 'passkey'],
      });
      return (res.body as { mfa_token: string }).mfa_token;
    };
    // Another user's passkey is a wrong second step: a fresh token to try again.
    const wrong = await send('POST', url('/api/token/'), {
      body: { mfa_token: await first(), passkey: device.assert(await loginOptions(), other.credential) },
    });
    expect(expectAnswer(wrong, 401).body).toMatchObject({
      code: 'mfa_failed',
      mfa_token: expect.any(String),
    });
    const both = await send('POST', url('/api/token/'), {
      body: {
        mfa_token: await first(),
        code: '123456',
        passkey: device.assert(await loginOptions(), credential),
      },
    });
    expect(expectAnswer(both, 400).body).toHaveProperty('code');
    const right = await send('POST', url('/api/token/'), {
      body: { mfa_token: await first(), passkey: device.assert(await loginOptions(), credential) },
    });
    expect(expectAnswer(right, 200).body).toMatchObject({ access: expect.any(String) });
  });

  it('counts a passkey as a second factor: the password alone issues nothing on any login route', async () => {
    const { credential } = await registered('kim');
    const browser = new Jar();
    await browse(browser, t().origin, 'GET', url('/api/auth/csrf/'));
    const password = { body: { username: 'kim', password: PASSWORD } };
    const firsts = [
      await send('POST', url('/api/token/'), password),
      await send('POST', url('/api-token-auth/'), password),
      await browse(browser, t().origin, 'POST', url('/api/auth/login/'), password),
    ];
    for (const first of firsts) {
      // No TOTP: the passkey is the only second step offered.
      expect(expectAnswer(first, 401).body).toEqual({
        detail: expect.any(String),
        code: 'mfa_required',
        mfa_token: expect.any(String),
        methods: ['passkey'],
      });
    }
    expectAnswer(await browse(browser, t().origin, 'GET', url('/api/me/')), 403);
    const mfaToken = (res: Answer) => (res.body as { mfa_token: string }).mfa_token;
    const code = await send('POST', url('/api-token-auth/'), {
      body: { mfa_token: mfaToken(firsts[1]!), code: '123456' },
    });
    expect(expectAnswer(code, 401).body).toMatchObject({ code: 'mfa_failed' });
    const second = await browse(browser, t().origin, 'POST', url('/api/auth/login/'), {
      body: { mfa_token: mfaToken(firsts[2]!), passkey: device.assert(await loginOptions(), credential) },
    });
    expect(expectAnswer(second, 200).body).toMatchObject({ username: 'kim' });
    expectAnswer(await browse(browser, t().origin, 'GET', url('/api/me/')), 200);

    // Every second factor off (the passkey with it): the password is enough again.
    expectAnswer(await post(browser, '/api/auth/mfa/totp/disable/', { password: PASSWORD }), 204);
    expect(expectAnswer(await send('POST', url('/api/token/'), password), 200).body).toHaveProperty('access');
  });

  it('throttles passkey sign-ins per client', async () => {
    const { credential } = await registered('jo');
    const tries = Array.from({ length: 31 }, async () => {
      const options = await loginOptions();
      return (await verifyLogin({ ...device.assert(options, fakeCredential()), issue: 'token' })).status;
    });
    expect(new Set(await Promise.all(tries))).toEqual(new Set([400, 429]));
    const throttled = await verifyLogin({
      ...device.assert(await loginOptions(), credential),
      issue: 'token',
    });
    expect(expectAnswer(throttled, 429).body).toMatchObject({ code: 'throttled' });
    t().clock.advance('2m');
    expectAnswer(
      await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' }),
      200,
    );
  });

  it('throttles sign-in options per client: each answer stores a challenge', async () => {
    t().clock.advance('2m');
    const { limit } = t().gh.ctx.config.throttle.challenge!;
    const asked: number[] = [];
    for (let i = 0; i < limit; i++)
      asked.push((await send('POST', url('/api/auth/passkeys/login/options/'))).status);
    expect(new Set(asked)).toEqual(new Set([200]));
    const refused = await send('POST', url('/api/auth/passkeys/login/options/'));
    expect(expectAnswer(refused, 429).body).toMatchObject({ code: 'throttled' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    t().clock.advance('2m');
    await loginOptions();
  });

  it('signs no inactive user in', async () => {
    const { credential } = await registered('gina');
    const user = await t().gh.ctx.stores.users.findByUsername('gina');
    await t().gh.ctx.stores.users.setActive(user!.id, false);
    const refused = await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'jwt' });
    // simplejwt's 401, as DRF answers it on a route without a challenge.
    expect(expectAnswer(refused, 403).body).toMatchObject({ code: 'no_active_account' });
    const token = await verifyLogin({ ...device.assert(await loginOptions(), credential), issue: 'token' });
    expect(expectAnswer(token, 400).body).toHaveProperty('non_field_errors');
  });
});

/** A credential the server never saw. */
function fakeCredential(): SoftCredential {
  return softAuthenticator(PASSKEY_RP_ID, PASSKEY_ORIGIN).register({ challenge: 'eA', user: { id: 'eA' } })
    .credential;
}
