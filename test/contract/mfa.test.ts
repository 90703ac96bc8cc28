import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { type Answer, basic, browse, Jar, send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

// The two-step sign-in and step-up (docs/mfa.md) on the server and every adapter. Codes are
// computed here from the secret the setup route hands out, at the target's own (manual) clock.

const bearer = (access: string) => ({ authorization: `Bearer ${access}` });
const tokenHeader = (key: string) => ({ authorization: `Token ${key}` });
const MFA_REQUIRED = {
  code: 'mfa_required',
  methods: ['totp', 'recovery_code'],
  mfa_token: expect.any(String),
};

/** The current code; the clock moves a step on, so the next call gets a code not used yet. */
async function nextCode(t: RunningTarget, secret: string): Promise<string> {
  t.clock.advance('30s');
  return generate({ secret, epoch: Math.floor(t.clock.now() / 1000) });
}

function expectAnswer(res: Answer, status: number): Answer {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
}

describe.each(TARGETS)('second factor on $name', (target) => {
  const t = useTarget(target, {
    authentication: ['session', 'token', 'jwt', 'basic'],
    jwt: { authTokenTypes: ['access', 'sliding'] },
  });
  const url = (path: string) => `${t().base}${path}`;
  const obtainPair = async (body: unknown) => send('POST', url('/api/token/'), { body });

  /** A user with TOTP on: its secret, recovery codes, and the access token it enrolled with. */
  async function enrolled(name: string) {
    await t().user(name);
    const pair = expectAnswer(await obtainPair({ username: name, password: PASSWORD }), 200);
    const access = (pair.body as { access: string }).access;
    const setup = expectAnswer(
      await send('POST', url('/api/auth/mfa/totp/setup/'), {
        headers: bearer(access),
        body: { password: PASSWORD },
      }),
      200,
    );
    const { secret, otpauth_url, qr_svg } = setup.body as Record<string, string>;
    expect(otpauth_url).toMatch(/^otpauth:\/\/totp\//);
    expect(qr_svg).toMatch(/^<svg/);
    const wrong = await send('POST', url('/api/auth/mfa/totp/confirm/'), {
      headers: bearer(access),
      body: { code: '000000' },
    });
    expect(wrong.status).toBe(400);
    const confirmed = expectAnswer(
      await send('POST', url('/api/auth/mfa/totp/confirm/'), {
        headers: bearer(access),
        body: { code: await nextCode(t(), secret!) },
      }),
      200,
    );
    const codes = (confirmed.body as { recovery_codes: string[] }).recovery_codes;
    expect(codes).toHaveLength(10);
    return { secret: secret!, codes, access };
  }

  it('hands out no credential for the password alone, on any route; each finishes there with a code', async () => {
    const { secret } = await enrolled('alice');
    const creds = { username: 'alice', password: PASSWORD };

    const first = expectAnswer(await obtainPair(creds), 401);
    expect(first.body).toMatchObject(MFA_REQUIRED);
    expect(first.headers.get('www-authenticate')).toBe('MFA realm="api"');
    const mfaToken = (first.body as { mfa_token: string }).mfa_token;
    // Bound to its route: the token route does not take it, and it is spent by trying.
    const elsewhere = await send('POST', url('/api-token-auth/'), {
      body: { mfa_token: mfaToken, code: '123456' },
    });
    expect(expectAnswer(elsewhere, 401).body).toMatchObject({ code: 'mfa_token_invalid' });
    const pairAgain = (await obtainPair(creds)).body as { mfa_token: string };
    const code = await nextCode(t(), secret);
    const pair = expectAnswer(await obtainPair({ mfa_token: pairAgain.mfa_token, code }), 200);
    expect(Object.keys(pair.body as object).sort()).toEqual(['access', 'refresh']);
    // The same code again (replay inside its window), and the spent token, are refused.
    const replay = (await obtainPair(creds)).body as { mfa_token: string };
    expect(expectAnswer(await obtainPair({ mfa_token: replay.mfa_token, code }), 401).body).toMatchObject({
      code: 'mfa_failed',
      mfa_token: expect.any(String),
    });
    expect(expectAnswer(await obtainPair({ mfa_token: pairAgain.mfa_token, code }), 401).body).toMatchObject({
      code: 'mfa_token_invalid',
    });

    const sliding = expectAnswer(await send('POST', url('/api/token/sliding/'), { body: creds }), 401);
    const slid = await send('POST', url('/api/token/sliding/'), {
      body: {
        mfa_token: (sliding.body as { mfa_token: string }).mfa_token,
        code: await nextCode(t(), secret),
      },
    });
    expect(expectAnswer(slid, 200).body).toEqual({ token: expect.any(String) });

    const drf = expectAnswer(await send('POST', url('/api-token-auth/'), { body: creds }), 401);
    expect(drf.body).toMatchObject(MFA_REQUIRED);
    const key = await send('POST', url('/api-token-auth/'), {
      body: { mfa_token: (drf.body as { mfa_token: string }).mfa_token, code: await nextCode(t(), secret) },
    });
    expect(expectAnswer(key, 200).body).toMatchObject({ token: expect.stringMatching(/^gat_/) });

    const jar = new Jar();
    await browse(jar, t().origin, 'GET', url('/api/auth/csrf/'));
    const login = (body: unknown) => browse(jar, t().origin, 'POST', url('/api/auth/login/'), { body });
    const firstLogin = expectAnswer(await login(creds), 401);
    expect(firstLogin.body).toMatchObject(MFA_REQUIRED);
    expect(jar.get('sessionid')).toBeUndefined();
    const signedIn = await login({
      mfa_token: (firstLogin.body as { mfa_token: string }).mfa_token,
      code: await nextCode(t(), secret),
    });
    expect(expectAnswer(signedIn, 200).body).toMatchObject({ username: 'alice' });
    expect(expectAnswer(await browse(jar, t().origin, 'GET', url('/api/me/')), 200).body).toMatchObject({
      auth: 'session',
    });

    const viaBasic = expectAnswer(
      await send('GET', url('/api/me/'), { headers: basic('alice', PASSWORD) }),
      401,
    );
    expect(viaBasic.body).toMatchObject({ code: 'mfa_not_supported' });
  });

  it('takes a recovery code once in place of a TOTP code, and counts what is left', async () => {
    const { codes, access } = await enrolled('bob');
    const creds = { username: 'bob', password: PASSWORD };
    const step = async (code: string) => {
      const first = (await obtainPair(creds)).body as { mfa_token: string };
      return obtainPair({ mfa_token: first.mfa_token, code });
    };
    expectAnswer(await step(codes[0]!), 200);
    expect(expectAnswer(await step(codes[0]!), 401).body).toMatchObject({ code: 'mfa_failed' });
    const status = await send('GET', url('/api/auth/mfa/'), { headers: bearer(access) });
    expect(expectAnswer(status, 200).body).toEqual({ totp: true, passkeys: [], recovery_codes_left: 9 });
  });

  it('asks for a recent sign-in before sensitive actions; a refresh does not make a sign-in recent', async () => {
    const { secret, access: old } = await enrolled('carol');
    const creds = { username: 'carol', password: PASSWORD };
    const signIn = async () => {
      const first = (await obtainPair(creds)).body as { mfa_token: string };
      const pair = await obtainPair({ mfa_token: first.mfa_token, code: await nextCode(t(), secret) });
      return expectAnswer(pair, 200).body as { access: string; refresh: string };
    };
    const fresh = await signIn();
    // An API token, however new, never counts as a recent sign-in.
    const minted = expectAnswer(
      await send('POST', url('/api/auth/tokens/'), { headers: bearer(fresh.access), body: { name: 'ci' } }),
      201,
    );
    const key = (minted.body as { key: string }).key;
    t().clock.advance('6m');
    const refreshed = expectAnswer(
      await send('POST', url('/api/token/refresh/'), { body: { refresh: fresh.refresh } }),
      200,
    );
    for (const headers of [
      bearer(old),
      bearer((refreshed.body as { access: string }).access),
      tokenHeader(key),
    ]) {
      const refused = await send('POST', url('/api/auth/mfa/recovery-codes/'), {
        headers,
        body: { password: PASSWORD },
      });
      expect(expectAnswer(refused, 403).body).toMatchObject({ code: 'reauthentication_required' });
    }
    for (const [path, body] of [
      ['/api/auth/tokens/', { name: 'x' }],
      ['/api/auth/password/', { old_password: PASSWORD, new_password: 'another horse battery staple' }],
      ['/api/auth/mfa/totp/disable/', { password: PASSWORD }],
      ['/api/auth/email/change/', { password: PASSWORD, email: 'carol.new@example.com' }],
    ] as const) {
      const refused = await send('POST', url(path), { headers: bearer(old), body });
      expect(expectAnswer(refused, 403).body, path).toMatchObject({ code: 'reauthentication_required' });
    }

    const now = await signIn();
    const renewed = await send('POST', url('/api/auth/mfa/recovery-codes/'), {
      headers: bearer(now.access),
      body: { password: PASSWORD },
    });
    expect((expectAnswer(renewed, 200).body as { recovery_codes: string[] }).recovery_codes).toHaveLength(10);
    expectAnswer(
      await send('POST', url('/api/auth/mfa/totp/disable/'), {
        headers: bearer(now.access),
        body: { code: await nextCode(t(), secret) },
      }),
      204,
    );
    // Off: the password alone signs in again, and the status says so.
    expectAnswer(await obtainPair(creds), 200);
    const status = await send('GET', url('/api/auth/mfa/'), { headers: bearer(now.access) });
    expect(status.body).toEqual({ totp: false, passkeys: [], recovery_codes_left: 0 });
  });
});
