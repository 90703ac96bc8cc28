import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sha256Hex } from './random.js';

/**
 * API keys look like GitHub's: `gat_` + 43 base62 characters holding 32 random bytes (256 bits)
 * + a 6-character base62 CRC32 of everything before it. The prefix lets secret scanners find a
 * leaked key; the checksum lets them (and us) tell a key from a look-alike, and rejects a typo
 * or a truncated paste before any database lookup.
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^43 > 2^256: 43 base62 digits hold any 32 bytes. */
const SECRET_LENGTH = 43;
/** 62^6 > 2^32: 6 base62 digits hold any CRC32. */
const CHECKSUM_LENGTH = 6;
/** How much of the secret a listing shows: enough to tell keys apart, too little to matter. */
const SHOWN_LENGTH = 4;
const KEY = /^([a-z][a-z0-9]{0,14}_)([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

/** A well-formed key, split into its parts. */
export interface ParsedApiKey {
  /** `gat_`: the prefix, underscore included. */
  prefix: string;
  /** The 43 random characters. */
  secret: string;
  /** The 6 checksum characters. */
  checksum: string;
}

function base62(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

/**
 * The 6-character checksum of a key's prefix and secret: CRC32, base62, fixed width. Not a
 * secret and not a MAC: it catches typos and lets scanners drop false positives offline.
 *
 * @example
 * apiKeyChecksum(`gat_${secret}`); // six base62 characters
 */
export function apiKeyChecksum(body: string): string {
  let n = crc32(body) >>> 0;
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/**
 * A new key from the CSPRNG: 32 bytes, base62, with `prefix` and a checksum. Show it once; store
 * only {@link apiKeyDigest}.
 *
 * @example
 * const key = generateApiKey('gat_'); // 'gat_3kTm…' (53 characters)
 */
export function generateApiKey(prefix: string): string {
  const secret = base62(BigInt(`0x${randomBytes(32).toString('hex')}`), SECRET_LENGTH);
  const body = prefix + secret;
  return body + apiKeyChecksum(body);
}

/**
 * Splits a key into its parts, or returns null when it is not one: wrong shape, or a checksum
 * that does not match (a typo, a truncated paste, a made-up string). Costs no lookup.
 *
 * @example
 * if (!parseApiKey(candidate)) throw new AuthenticationFailed('Invalid token.');
 */
export function parseApiKey(key: string): ParsedApiKey | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const [, prefix, secret, checksum] = m as unknown as [string, string, string, string];
  if (apiKeyChecksum(prefix + secret) !== checksum) return null;
  return { prefix, secret, checksum };
}

/**
 * What the store keeps and looks up by: SHA-256 (hex) of the whole key. A key carries 256 bits
 * from the CSPRNG, so a fast digest cannot be reversed or brute-forced; no salt or slow hash is
 * needed, and the lookup stays one indexed read.
 *
 * @example
 * await stores.apiTokens.findByDigest(apiKeyDigest(key));
 */
export function apiKeyDigest(key: string): string {
  return sha256Hex(key);
}

/**
 * The start of a key, safe to show in a list so its owner can tell keys apart (`gat_3kTm`).
 *
 * @example
 * apiKeyShownPrefix('gat_3kTm…'); // 'gat_3kTm'
 */
export function apiKeyShownPrefix(key: string): string {
  const underscore = key.indexOf('_');
  return key.slice(0, underscore + 1 + SHOWN_LENGTH);
}
