import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { JWT_ALGORITHMS, type JwtAlgorithm, JwtKeyError } from './keys.js';

/** Where `gatehouse keys generate` writes when nothing else is configured (relative to the cwd). */
export const DEFAULT_KEYS_FILE = '.gatehouse/jwt-keys.json';
/** The environment variable that overrides the keys file's path. */
export const KEYS_FILE_ENV = 'GATEHOUSE_JWT_KEYS_FILE';

/** One key in the keys file: a private JWK plus when it was made and when it stops verifying. */
export interface StoredKey {
  kid: string;
  alg: JwtAlgorithm;
  kty: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: after this instant the key no longer verifies (set when it is rotated away). */
  retireAt?: string | null;
  /** The rest of the private JWK (d, n, e, x, y, crv, k…). */
  [member: string]: unknown;
}

/**
 * The keys file: a JWK set with private keys, the kid of the current signer, and each retired
 * key's `retireAt`. Mode 0600; written whole and renamed into place, so a reader never sees half
 * a file.
 *
 * ```json
 * { "current": "Xy3…", "keys": [{ "kty": "EC", "crv": "P-256", "d": "…", "kid": "Xy3…",
 *   "alg": "ES256", "use": "sig", "createdAt": "2026-01-01T00:00:00.000Z", "retireAt": null }] }
 * ```
 */
export interface KeysFile {
  /** The kid that signs new tokens; null until `keys rotate` (or the first `keys generate`). */
  current: string | null;
  keys: StoredKey[];
}

/**
 * Reads the keys file, or returns null when it does not exist. Throws JwtKeyError for a file
 * that is not a keys file.
 *
 * @example
 * const file = readKeysFile('.gatehouse/jwt-keys.json') ?? { current: null, keys: [] };
 */
export function readKeysFile(path: string): KeysFile | null {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new JwtKeyError(`cannot read the JWT keys file ${path}: ${(err as Error).message}`);
  }
  const file = parsed as Partial<KeysFile> | null;
  if (!file || typeof file !== 'object' || !Array.isArray(file.keys)) {
    throw new JwtKeyError(`${path} is not a JWT keys file (expected {"current", "keys": [...]})`);
  }
  for (const key of file.keys) {
    if (!key || typeof key.kid !== 'string' || !(JWT_ALGORITHMS as readonly string[]).includes(key.alg)) {
      throw new JwtKeyError(`${path}: every key needs a kid and one of ${JWT_ALGORITHMS.join(', ')} as alg`);
    }
  }
  const current = typeof file.current === 'string' ? file.current : null;
  if (current && !file.keys.some((k) => k.kid === current)) {
    throw new JwtKeyError(`${path}: the current kid ${JSON.stringify(current)} is not in the file`);
  }
  return { current, keys: file.keys };
}

/**
 * Writes the keys file atomically with mode 0600 (its directory 0700), creating the directory.
 *
 * @example
 * writeKeysFile(path, { current: jwk.kid, keys: [{ ...jwk, createdAt: new Date().toISOString() }] });
 */
export function writeKeysFile(path: string, file: KeysFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The instant a stored key stops verifying (ms), or null for never. */
export function retireAtMs(key: StoredKey): number | null {
  if (!key.retireAt) return null;
  const t = Date.parse(key.retireAt);
  return Number.isFinite(t) ? t : null;
}
