import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as bcryptVerify } from '@node-rs/bcrypt';

/**
 * Django's `make_password` formats, so that users moved over from a Django project keep their
 * passwords and are upgraded to argon2id at their next login. Parsing is strict: whatever does
 * not match a format exactly is "unknown" and verifies false.
 */
export type DjangoHash =
  | { kind: 'pbkdf2'; digest: 'sha256' | 'sha1'; iterations: number; salt: string; expected: Buffer }
  | { kind: 'bcrypt'; sha256: boolean; cost: number; bcrypt: string }
  | { kind: 'argon2'; phc: string };

/**
 * Ceilings on the work factor a stored hash may ask for. The store is trusted, but a corrupted or
 * tampered row must not pin a worker thread for minutes (bcrypt cost 31 runs for days) or claim
 * gigabytes. Django's own defaults sit far below: pbkdf2 260 000 (3.2) to 1 200 000 (6.0)
 * iterations, bcrypt cost 12.
 */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const MAX_BCRYPT_COST = 16;

const DIGEST_BYTES = { sha256: 32, sha1: 20 } as const;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BCRYPT = /^\$2[abxy]?\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2_VARIETY = /^\$argon2(id|i|d)\$/;
const pbkdf2Async = promisify(pbkdf2);

/**
 * Reads a Django-format hash, or returns null for anything else (including Django's unusable
 * `!…` passwords, the empty string and work factors beyond the ceilings above).
 *
 * @example
 * parseDjangoHash('pbkdf2_sha256$260000$salt$aCgL…=')?.kind; // 'pbkdf2'
 */
export function parseDjangoHash(encoded: string): DjangoHash | null {
  const cut = encoded.indexOf('$');
  if (cut <= 0) return null;
  const algorithm = encoded.slice(0, cut);
  const rest = encoded.slice(cut);
  switch (algorithm) {
    case 'pbkdf2_sha256':
      return parsePbkdf2('sha256', rest);
    case 'pbkdf2_sha1':
      return parsePbkdf2('sha1', rest);
    case 'bcrypt_sha256':
      return parseBcrypt(true, rest.slice(1));
    case 'bcrypt':
      return parseBcrypt(false, rest.slice(1));
    case 'argon2':
      // Django writes argon2-cffi's PHC string with the leading `$` replaced by `argon2`.
      return ARGON2_VARIETY.test(rest) ? { kind: 'argon2', phc: rest } : null;
    default:
      return null;
  }
}

function parsePbkdf2(digest: 'sha256' | 'sha1', rest: string): DjangoHash | null {
  const parts = rest.split('$');
  if (parts.length !== 4) return null;
  const [, iterText = '', salt = '', b64 = ''] = parts;
  if (!/^[1-9]\d{0,8}$/.test(iterText) || !salt || !BASE64.test(b64)) return null;
  const iterations = Number(iterText);
  if (iterations > MAX_PBKDF2_ITERATIONS) return null;
  const expected = Buffer.from(b64, 'base64');
  // Django derives exactly one digest's worth of key (dklen=None).
  if (expected.length !== DIGEST_BYTES[digest]) return null;
  return { kind: 'pbkdf2', digest, iterations, salt, expected };
}

function parseBcrypt(sha256: boolean, bcrypt: string): DjangoHash | null {
  const match = BCRYPT.exec(bcrypt);
  if (!match) return null;
  const cost = Number(match[1]);
  if (cost < 4 || cost > MAX_BCRYPT_COST) return null;
  return { kind: 'bcrypt', sha256, cost, bcrypt };
}

/**
 * Django's PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher: PBKDF2-HMAC over the UTF-8 password
 * with the salt's UTF-8 bytes, on the thread pool, compared in constant time.
 *
 * @example
 * const parsed = parseDjangoHash(row.password);
 * if (parsed?.kind === 'pbkdf2') await verifyPbkdf2(password, parsed);
 */
export async function verifyPbkdf2(
  password: string,
  hash: Extract<DjangoHash, { kind: 'pbkdf2' }>,
): Promise<boolean> {
  const derived = await pbkdf2Async(password, hash.salt, hash.iterations, hash.expected.length, hash.digest);
  return timingSafeEqual(derived, hash.expected);
}

/**
 * Django's BCryptSHA256PasswordHasher (bcrypt over the hex SHA-256 of the password, which lifts
 * bcrypt's 72-byte limit) and BCryptPasswordHasher (bcrypt over the password itself).
 *
 * @example
 * const parsed = parseDjangoHash(row.password);
 * if (parsed?.kind === 'bcrypt') await verifyDjangoBcrypt(password, parsed);
 */
export async function verifyDjangoBcrypt(
  password: string,
  hash: Extract<DjangoHash, { kind: 'bcrypt' }>,
): Promise<boolean> {
  const input = hash.sha256 ? createHash('sha256').update(password).digest('hex') : password;
  return bcryptVerify(input, hash.bcrypt);
}
