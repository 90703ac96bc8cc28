import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../../test/helpers/gatehouse.js';
import { decode, jwtGatehouse, notValid, PASSWORD } from '../../../test/helpers/jwt.js';
import { defineConfig } from '../../core/config.js';
import { createAuthRequest } from '../../core/request.js';
import { deactivateUser } from '../../core/users.js';
import { bearerToken } from './scheme.js';

const INVALID = 'Token is invalid or expired';

/** Re-signs header.payload with HMAC-SHA256 and `secret` (for forgeries). */
function hs256(header: object, payload: object, secret: string | Buffer): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('jwt scheme: the Authorization header (simplejwt JWTAuthentication)', () => {
  it('authenticates a valid access token; the challenge is Bearer realm="api"', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    const res = await t.me(access);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'alice', auth: 'jwt' });
    const anon = await t.call('GET', '/api/me/');
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('leaves headers of another type (and a lower-case bearer) to the next scheme', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    for (const type of ['Token', 'bearer', 'JWT']) {
      const res = await t.me(access, type);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'not_authenticated' });
    }
  });

  it('refuses the right type without exactly one token', async () => {
    const t = await jwtGatehouse();
    for (const header of ['Bearer', 'Bearer a b', 'Bearer  ']) {
      const res = await t.call('GET', '/api/me/', { headers: { authorization: header } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        detail: 'Authorization header must contain two space-delimited values',
        code: 'bad_authorization_header',
      });
    }
  });

  it('accepts the configured header types; the first names the challenge', async () => {
    const t = await jwtGatehouse({ authHeaderTypes: ['JWT', 'Bearer'] });
    const { access } = await t.login();
    expect((await t.me(access, 'JWT')).status).toBe(200);
    expect((await t.me(access, 'Bearer')).status).toBe(200);
    expect((await t.call('GET', '/api/me/')).headers['www-authenticate']).toBe('JWT realm="api"');
  });

  it('takes the token from one function another transport can sit beside', () => {
    const req = createAuthRequest({ method: 'GET', url: '/', headers: { authorization: 'Bearer abc' } });
    expect(bearerToken(req, new Set(['Bearer']))).toBe('abc');
    expect(bearerToken(req, new Set(['JWT']))).toBeNull();
  });
});

describe('jwt scheme: refusals', () => {
  it('refuses a refresh token used as an access token', async () => {
    const t = await jwtGatehouse();
    const { refresh } = await t.login();
    const res = await t.me(refresh);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(notValid('Token has wrong type'));
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('refuses a tampered payload, garbage, and a token of another secret', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    const [h, p, s] = access.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, user_id: 2 })).toString('base64url')}.${s}`;
    for (const token of [forged, 'garbage', `${h}.${p}`, `${h}.${p}.`, 'a.b.c']) {
      const res = await t.me(token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(notValid(INVALID));
    }
    const other = hs256({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-that-is-long-enough-000');
    expect((await t.me(other)).body).toEqual(notValid(INVALID));
  });

  it('refuses alg "none", with and without a kid', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    const { header, payload } = decode(access);
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    for (const h of [{ alg: 'none', typ: 'JWT' }, { ...header, alg: 'none' }, { alg: 'NONE' }]) {
      const none = `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${body}.`;
      expect((await t.me(none)).status).toBe(401);
    }
  });

  it('refuses algorithm confusion: an HS256 token signed with the public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const pub = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const t = await jwtGatehouse({ algorithm: 'RS256', signingKey: pem });
    const { access } = await t.login();
    expect((await t.me(access)).status).toBe(200);
    const { header, payload } = decode(access);
    for (const h of [
      { ...header, alg: 'HS256' },
      { alg: 'HS256', typ: 'JWT' },
    ]) {
      const forged = hs256(h, payload, pub);
      const res = await t.me(forged);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(notValid(INVALID));
    }
  });

  it('refuses an unknown kid and a kid whose key has another algorithm', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    const { header, payload } = decode(access);
    expect((await t.me(hs256({ ...header, kid: 'nope' }, payload, TEST_SECRET))).status).toBe(401);
    expect((await t.me(hs256(header, payload, TEST_SECRET))).status).toBe(200);
    const hs512 = `${Buffer.from(JSON.stringify({ ...header, alg: 'HS512' })).toString('base64url')}.x.y`;
    expect((await t.me(hs512)).status).toBe(401);
  });

  it('refuses an expired token, allowing the configured leeway', async () => {
    const t = await jwtGatehouse({ accessTokenLifetime: '5m' });
    const { access } = await t.login();
    t.clock.advance('299s');
    expect((await t.me(access)).status).toBe(200);
    t.clock.advance('1s');
    expect((await t.me(access)).body).toEqual(notValid(INVALID));

    const lenient = await jwtGatehouse({ accessTokenLifetime: '5m', leeway: 30 });
    const token = (await lenient.login()).access;
    lenient.clock.advance('329s');
    expect((await lenient.me(token)).status).toBe(200);
    lenient.clock.advance('1s');
    expect((await lenient.me(token)).status).toBe(401);
  });

  it('refuses a token issued in the future, or without exp, jti or type', async () => {
    const t = await jwtGatehouse();
    const now = Math.floor(t.clock.now() / 1000);
    const base = { token_type: 'access', exp: now + 60, iat: now, jti: 'a'.repeat(32), user_id: t.alice.id };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, iat: now + 5 }, INVALID],
      [{ ...base, nbf: now + 5 }, INVALID],
      [{ ...base, exp: undefined }, "Token has no 'exp' claim"],
      [{ ...base, jti: undefined }, 'Token has no id'],
      [{ ...base, token_type: undefined }, 'Token has no type'],
      [{ ...base, token_type: 'sliding' }, 'Token has wrong type'],
    ];
    for (const [payload, message] of cases) {
      expect((await t.me(t.sign(payload))).body).toEqual(notValid(message));
    }
    expect((await t.me(t.sign(base))).status).toBe(200);
    // fast-jwt will not sign a non-numeric exp: sign by hand (no kid: the secret key is tried).
    expect((await t.me(hs256({ alg: 'HS256' }, { ...base, exp: 'soon' }, TEST_SECRET))).body).toEqual(
      notValid(INVALID),
    );
    expect((await t.me(hs256({ alg: 'HS256' }, base, TEST_SECRET))).status).toBe(200);
  });

  it('checks aud and iss when configured', async () => {
    const t = await jwtGatehouse({ audience: 'api.example', issuer: 'https://auth.example' });
    const { access } = await t.login();
    expect(decode(access).payload).toMatchObject({ aud: 'api.example', iss: 'https://auth.example' });
    expect((await t.me(access)).status).toBe(200);
    const now = Math.floor(t.clock.now() / 1000);
    const base = { token_type: 'access', exp: now + 60, iat: now, jti: 'j', user_id: t.alice.id };
    for (const payload of [
      base,
      { ...base, aud: 'other', iss: 'https://auth.example' },
      { ...base, aud: 'api.example', iss: 'https://evil.example' },
      { ...base, aud: 'api.example' },
    ]) {
      expect((await t.me(t.sign(payload))).status).toBe(401);
    }
    // A token without aud from a gatehouse that sets none is refused here.
    const plain = await jwtGatehouse();
    expect((await t.me((await plain.login()).access)).status).toBe(401);
  });
});

describe('jwt scheme: the user behind the token', () => {
  it('answers simplejwt’s messages for a missing id, an unknown user and an inactive one', async () => {
    const t = await jwtGatehouse();
    const now = Math.floor(t.clock.now() / 1000);
    const base = { token_type: 'access', exp: now + 60, iat: now, jti: 'j' };
    expect((await t.me(t.sign(base))).body).toEqual({
      detail: 'Token contained no recognizable user identification',
      code: 'token_not_valid',
    });
    expect((await t.me(t.sign({ ...base, user_id: 999 }))).body).toEqual({
      detail: 'User not found',
      code: 'user_not_found',
    });
    expect((await t.me(t.sign({ ...base, user_id: String(t.alice.id) }))).status).toBe(200);
    const { access } = await t.login();
    await t.stores.users.setActive(t.alice.id, false);
    expect((await t.me(access)).body).toEqual({ detail: 'User is inactive', code: 'user_inactive' });
  });

  it('logout-everywhere ends a live access token at the next request', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    t.clock.advance(250);
    const res = await t.call('POST', '/api/auth/logout-all/', {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(res.status).toBe(204);
    expect((await t.me(access)).body).toEqual(notValid(INVALID));
  });

  it('a login in the same second as a logout-all still works; a token from before it does not', async () => {
    const t = await jwtGatehouse();
    t.clock.set(Date.parse('2026-01-01T00:00:10.100Z'));
    const before = (await t.login()).access;
    t.clock.set(Date.parse('2026-01-01T00:00:10.500Z'));
    const res = await t.call('POST', '/api/auth/logout-all/', {
      headers: { authorization: `Bearer ${before}` },
    });
    expect(res.status).toBe(204);
    t.clock.set(Date.parse('2026-01-01T00:00:10.700Z'));
    const after = await t.login();
    expect(decode(after.access).payload.iat).toBe(decode(before).payload.iat);
    expect((await t.me(before)).status).toBe(401);
    expect((await t.me(after.access)).status).toBe(200);
    expect((await t.call('POST', '/api/token/refresh/', { body: { refresh: after.refresh } })).status).toBe(
      200,
    );
  });

  it('deactivation ends access tokens at once', async () => {
    const t = await jwtGatehouse();
    const { access } = await t.login();
    await deactivateUser(t.gh.ctx, t.alice);
    expect((await t.me(access)).status).toBe(401);
  });

  it('stateless: no lookup, the user as the token says (revocation waits for expiry)', async () => {
    const t = await jwtGatehouse({ stateless: true });
    const { access } = await t.login();
    await deactivateUser(t.gh.ctx, t.alice);
    const res = await t.me(access);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: t.alice.id, auth: 'jwt', is_staff: false });
  });

  it('accepts sliding tokens when configured, listing each type in its refusals', async () => {
    const t = await jwtGatehouse({ authTokenTypes: ['access', 'sliding'] });
    const res = await t.call('POST', '/api/token/sliding/', {
      body: { username: 'alice', password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const { token } = res.body as { token: string };
    expect((await t.me(token)).status).toBe(200);
    const { refresh } = await t.login();
    expect((await t.me(refresh)).body).toEqual(notValid('Token has wrong type', ['access', 'sliding']));
  });
});

describe('jwt scheme: configuration', () => {
  it('fails at start-up for an asymmetric algorithm without a key', () => {
    expect(() =>
      defineConfig({ secretKey: 'x'.repeat(40), jwt: { algorithm: 'ES256' }, authentication: ['jwt'] }),
    ).not.toThrow();
    return expect(jwtGatehouse({ algorithm: 'ES256' })).rejects.toThrow(/ES256 needs a key/);
  });

  it('names a wrong key in config', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await expect(jwtGatehouse({ algorithm: 'RS256', signingKey: pem })).rejects.toThrow(
      /jwt.signingKey: RS256 needs an RSA key/,
    );
    await expect(jwtGatehouse({ algorithm: 'HS256', signingKey: 'short' })).rejects.toThrow(/jwt.signingKey/);
  });
});
