import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The interop fixtures made by the real Django 3.2 / simplejwt 5.2 (test/fixtures/generate.py).
 * Tests read the committed copies; CI regenerates them into a temporary folder and names it in
 * this variable, so freshly made hashes and tokens are checked too (docs/development.md).
 */
export const FIXTURES_ENV = 'GATEHOUSE_FIXTURES_DIR';

/** The committed fixtures, inside the repo: a clone anywhere has them. */
export const COMMITTED_FIXTURES_DIR: string = resolve(import.meta.dirname, '../fixtures');

/** Django's make_password() output for one password in each format gatehouse verifies. */
export interface DjangoPasswordFixture {
  generator: string;
  password: string;
  unicode_password: string;
  wrong_password: string;
  hashes: Record<
    'pbkdf2_sha256' | 'pbkdf2_sha1' | 'argon2' | 'bcrypt_sha256' | 'pbkdf2_sha256_unicode',
    string
  >;
}

/** Tokens minted by simplejwt, with the secret and the PEM keys that verify them. */
export interface SimplejwtFixture {
  generator: string;
  secret_key: string;
  user_id: number;
  tokens: Record<
    | 'access_hs256'
    | 'refresh_hs256'
    | 'sliding_hs256'
    | 'access_hs256_expired'
    | 'access_hs256_aud_iss'
    | 'access_rs256'
    | 'access_es256',
    string
  >;
  aud_iss: { audience: string; issuer: string };
  keys: Record<'rs256_private_pem' | 'rs256_public_pem' | 'es256_private_pem' | 'es256_public_pem', string>;
}

/** The folder the fixtures are read from: `GATEHOUSE_FIXTURES_DIR` when set, else the committed one. */
export function fixturesDir(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[FIXTURES_ENV];
  if (chosen === undefined || chosen === '') return COMMITTED_FIXTURES_DIR;
  const dir = resolve(chosen);
  // A typo here would otherwise fall back silently and test the committed copies instead.
  if (!existsSync(dir)) {
    throw new Error(`${FIXTURES_ENV}=${chosen}: no such folder (expected the output of generate.py)`);
  }
  return dir;
}

function readFixture<T>(relative: string, env: NodeJS.ProcessEnv): T {
  const file = join(fixturesDir(env), relative);
  if (!existsSync(file)) {
    throw new Error(`missing fixture ${file}: run /usr/bin/python3 test/fixtures/generate.py <folder>`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Reads `django/password-hashes.json` from {@link fixturesDir}. */
export function djangoPasswordFixture(env: NodeJS.ProcessEnv = process.env): DjangoPasswordFixture {
  return readFixture('django/password-hashes.json', env);
}

/** Reads `simplejwt/tokens.json` from {@link fixturesDir}. */
export function simplejwtFixture(env: NodeJS.ProcessEnv = process.env): SimplejwtFixture {
  return readFixture('simplejwt/tokens.json', env);
}
