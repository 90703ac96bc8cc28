import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKeysFile, writeKeysFile } from './jwks-file.js';
import { parseJwks } from './jwks-remote.js';
import { generateJwk, hmacKey, importKey, JWT_ALGORITHMS, JwtKeyError, jwkThumbprint } from './keys.js';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';

describe('hmacKey', () => {
  it('derives a kid that does not contain the secret, the same for the same secret', () => {
    const a = hmacKey(SECRET, 'HS256');
    expect(a.kid).toMatch(/^hs-[\w-]{16}$/);
    expect(a.kid).not.toContain(SECRET.slice(0, 8));
    expect(hmacKey(SECRET, 'HS512').kid).toBe(a.kid);
    expect(hmacKey(`${SECRET}x`, 'HS256').kid).not.toBe(a.kid);
    expect(a.publicJwk).toBeNull();
  });

  it('refuses short secrets, asymmetric algorithms, and keys passed off as secrets', () => {
    expect(() => hmacKey('short', 'HS256')).toThrow(/at least 32 bytes/);
    expect(() => hmacKey(SECRET, 'ES256')).toThrow(JwtKeyError);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => hmacKey(pem, 'HS256')).toThrow(/algorithm confusion/);
    expect(() => importKey(pem, 'HS256')).toThrow(/algorithm confusion/);
    expect(() => hmacKey(JSON.stringify(publicKey.export({ format: 'jwk' })), 'HS256')).toThrow(/confusion/);
  });
});

describe('importKey', () => {
  it('reads a PKCS#8 private PEM, derives the public half and a thumbprint kid', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const key = importKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    expect(key.alg).toBe('ES256');
    expect(key.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(key.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(key.kid).toBe(jwkThumbprint(key.publicJwk!));
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid });
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('reads SEC1 and PKCS#1 PEM, public PEM, JWK objects and JWK text', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    expect(importKey(ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string).alg).toBe('ES384');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(importKey(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string).alg).toBe('RS256');
    const pub = importKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'PS256');
    expect(pub).toMatchObject({ alg: 'PS256', privateKey: null });
    const jwk = ec.privateKey.export({ format: 'jwk' });
    expect(importKey({ ...jwk, kid: 'mine' }).kid).toBe('mine');
    expect(importKey(JSON.stringify(jwk)).privateKey).toContain('PRIVATE KEY');
    expect(importKey({ kty: 'oct', k: Buffer.from(SECRET).toString('base64url') }).alg).toBe('HS256');
  });

  it('checks the key fits the algorithm', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const pem = p256.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => importKey(pem, 'ES384')).toThrow(/ES384 needs an EC key on its curve/);
    expect(() => importKey(pem, 'RS256')).toThrow(/RS256 needs an RSA key/);
    expect(() => importKey(pem, 'EdDSA')).toThrow(/EdDSA needs/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => importKey(small.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow(/2048 bits/);
    expect(() => importKey({ ...p256.export({ format: 'jwk' }), alg: 'ES256' }, 'ES512')).toThrow(
      /for ES256/,
    );
    expect(() => importKey('not a key at all, but long enough to be a secret', 'ES256')).toThrow(/key pair/);
    expect(() => importKey('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----')).toThrow(
      /cannot read the key/,
    );
  });
});

describe('generateJwk', () => {
  it.each(JWT_ALGORITHMS)('makes a usable %s key', (alg) => {
    const jwk = generateJwk(alg);
    expect(jwk.alg).toBe(alg);
    const key = importKey(jwk, alg, jwk.kid);
    expect(key.kid).toBe(jwk.kid);
    expect(key.privateKey).toBeTruthy();
    if (alg.startsWith('HS')) expect(key.publicJwk).toBeNull();
    else expect(key.kid).toBe(jwkThumbprint(key.publicJwk!));
  });
});

describe('keys file', () => {
  it('writes with mode 0600 and reads back; missing is null; garbage is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-keys-'));
    const path = join(dir, 'nested', 'jwt-keys.json');
    expect(readKeysFile(path)).toBeNull();
    const jwk = generateJwk('ES256');
    writeKeysFile(path, { current: jwk.kid, keys: [{ ...jwk, createdAt: new Date(0).toISOString() }] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readKeysFile(path)).toMatchObject({ current: jwk.kid, keys: [{ kid: jwk.kid, alg: 'ES256' }] });
    writeKeysFile(path, { current: 'nope', keys: [{ ...jwk, createdAt: '' }] });
    expect(() => readKeysFile(path)).toThrow(/current kid/);
  });
});

describe('parseJwks', () => {
  it('takes public signature keys only, never oct keys or private members', () => {
    const ec = generateJwk('ES256');
    const hs = generateJwk('HS256');
    const keys = parseJwks({ keys: [ec, hs, { kty: 'EC', kid: 'enc', use: 'enc' }, 'junk'] });
    expect([...keys.keys()]).toEqual([ec.kid]);
    expect(keys.get(ec.kid)!.privateKey).toBeNull();
    expect(() => parseJwks({})).toThrow(/no "keys"/);
  });
});
