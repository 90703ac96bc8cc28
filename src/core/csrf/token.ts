import { randomBytes } from 'node:crypto';

/**
 * Django's CSRF token format: a 32-character secret over [A-Za-z0-9], sent back masked as
 * 64 characters (a one-time pad, then the secret shifted by it). Masking makes each token the
 * page sees different, so a compressed response cannot leak the secret by its length (BREACH);
 * unmasking recovers the one secret to compare.
 */
export const CSRF_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const CSRF_SECRET_LENGTH = 32;
export const CSRF_TOKEN_LENGTH = 2 * CSRF_SECRET_LENGTH;

const N = CSRF_ALPHABET.length;
/** Character code → index in the alphabet, -1 for anything else; a table, not indexOf, per char. */
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < N; i++) INDEX[CSRF_ALPHABET.charCodeAt(i)] = i;

/** Bytes at or above this are dropped so each character is uniform (248 = 4 × 62). */
const UNBIASED = 256 - (256 % N);

function randomString(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte >= UNBIASED) continue;
      out += CSRF_ALPHABET[byte % N];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A new CSRF secret (about 190 bits).
 *
 * @example
 * const secret = newCsrfSecret(); // 32 characters, [A-Za-z0-9]
 */
export function newCsrfSecret(): string {
  return randomString(CSRF_SECRET_LENGTH);
}

/**
 * A fresh masked token for `secret`: every call gives a different token for the same secret.
 *
 * @example
 * const token = maskCsrfSecret(secret); // 64 characters; unmaskCsrfToken(token) === secret
 */
export function maskCsrfSecret(secret: string): string {
  const mask = randomString(CSRF_SECRET_LENGTH);
  let cipher = '';
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) {
    const s = INDEX[secret.charCodeAt(i)]!;
    const m = INDEX[mask.charCodeAt(i)]!;
    cipher += CSRF_ALPHABET[(s + m) % N];
  }
  return mask + cipher;
}

/** The secret inside a masked token (the token must be well-formed: see readCsrfSecret). */
export function unmaskCsrfToken(token: string): string {
  let secret = '';
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) {
    const m = INDEX[token.charCodeAt(i)]!;
    const c = INDEX[token.charCodeAt(i + CSRF_SECRET_LENGTH)]!;
    secret += CSRF_ALPHABET[(c - m + N) % N];
  }
  return secret;
}

/** Why a value is not a CSRF token, in Django's words; null when it is one. */
export function csrfFormatProblem(value: string): string | null {
  if (value.length !== CSRF_TOKEN_LENGTH && value.length !== CSRF_SECRET_LENGTH)
    return 'has incorrect length';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || INDEX[code] === -1) return 'has invalid characters';
  }
  return null;
}

/**
 * The secret a cookie or a submitted token carries: a 64-character masked token is unmasked, a
 * 32-character value is taken as the secret itself (Django accepts both, so a page may send the
 * cookie's value as it is). Null when malformed.
 *
 * @example
 * readCsrfSecret(req.headers['x-csrftoken'] ?? '');
 */
export function readCsrfSecret(value: string): string | null {
  if (csrfFormatProblem(value) !== null) return null;
  return value.length === CSRF_TOKEN_LENGTH ? unmaskCsrfToken(value) : value;
}
