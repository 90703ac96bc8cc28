import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Which checks run; `config.passwords.validators` has this shape. Django's default
 * AUTH_PASSWORD_VALIDATORS, each switchable.
 */
export interface PasswordValidatorSettings {
  /** MinimumLengthValidator: fewest characters (code points, as Python's len); 0 turns it off. */
  minLength: number;
  /** CommonPasswordValidator: refuse Django's list of 20 000 common passwords. */
  common: boolean;
  /** NumericPasswordValidator: refuse passwords made only of digits. */
  numeric: boolean;
  /** UserAttributeSimilarityValidator: refuse passwords too like the username, email or names. */
  similarity: boolean;
  /** The hasher's limit (UTF-16 code units); a longer password is refused before other checks. */
  maxLength?: number;
}

/** The user's own words a password must not resemble (Django's DEFAULT_USER_ATTRIBUTES). */
export interface PasswordUserAttributes {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** Django's UserAttributeSimilarityValidator default. */
const MAX_SIMILARITY = 0.7;
/** Attribute, and the field's verbose_name that Django's message names. */
const ATTRIBUTES = [
  ['username', 'username'],
  ['firstName', 'first name'],
  ['lastName', 'last name'],
  ['email', 'email address'],
] as const;
/** Python's `\W+`: a run of anything but letters, digits and the underscore. */
const NON_WORD = /[^\p{L}\p{N}_]+/u;
/** Python's str.isdigit(), near enough: decimal digits of any script. */
const ALL_DIGITS = /^\p{Nd}+$/u;

/**
 * Django's password validators with Django's own messages (clients show them as they come). Runs
 * every enabled check and returns each failure, in Django's default order; [] means acceptable.
 *
 * @example
 * validatePassword('alice2024', { username: 'alice' }, config.passwords.validators);
 * // ['The password is too similar to the username.']
 */
export function validatePassword(
  password: string,
  user: PasswordUserAttributes,
  validators: PasswordValidatorSettings,
): string[] {
  const max = validators.maxLength;
  if (max !== undefined && password.length > max) {
    // Alone and first: nothing else needs to look at a hostile megabyte.
    return [`This password is too long. It must contain at most ${max} character${max === 1 ? '' : 's'}.`];
  }
  const problems: string[] = [];
  if (validators.similarity) {
    const attribute = similarAttribute(password, user);
    if (attribute) problems.push(`The password is too similar to the ${attribute}.`);
  }
  const min = validators.minLength;
  if (min > 0 && codePoints(password) < min) {
    problems.push(
      `This password is too short. It must contain at least ${min} character${min === 1 ? '' : 's'}.`,
    );
  }
  if (validators.common && isCommonPassword(password)) problems.push('This password is too common.');
  if (validators.numeric && ALL_DIGITS.test(password)) problems.push('This password is entirely numeric.');
  return problems;
}

/**
 * The verbose name of the first attribute the password is too similar to, or null. Like Django,
 * each attribute is compared whole and in its `\W+`-separated parts, so an email address is
 * matched as a whole, by its local part and by each domain label. Empty parts are skipped (Django
 * would call an empty password "too similar" to one; the length check reports that better).
 */
function similarAttribute(password: string, user: PasswordUserAttributes): string | null {
  const lower = password.toLowerCase();
  const length = codePoints(lower);
  for (const [key, verboseName] of ATTRIBUTES) {
    const value = user[key];
    if (!value || typeof value !== 'string') continue;
    const whole = value.toLowerCase();
    for (const part of [...whole.split(NON_WORD), whole]) {
      if (!part || exceedsMaximumLengthRatio(length, codePoints(part))) continue;
      if (quickRatio(lower, part) >= MAX_SIMILARITY) return verboseName;
    }
  }
  return null;
}

/**
 * Django's shortcut: when the password is at least ten times longer than the value, the ratio
 * cannot reach the threshold (quick_ratio ≤ 2 / length ratio), so the comparison is skipped.
 */
function exceedsMaximumLengthRatio(passwordLength: number, valueLength: number): boolean {
  return passwordLength >= 10 * valueLength && valueLength < (MAX_SIMILARITY / 2) * passwordLength;
}

/**
 * Python's `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`, exactly: 2·M / (|a| + |b|), where M
 * counts the characters the two strings share as multisets (order ignored), over code points. It
 * is an upper bound on SequenceMatcher's ratio(), and it is what Django's validator compares
 * against 0.7.
 *
 * @example
 * quickRatio('alice2024', 'alice'); // 2·5 / 14 ≈ 0.714
 */
export function quickRatio(a: string, b: string): number {
  const available = new Map<string, number>();
  let lengthB = 0;
  for (const char of b) {
    available.set(char, (available.get(char) ?? 0) + 1);
    lengthB++;
  }
  let matches = 0;
  let lengthA = 0;
  for (const char of a) {
    lengthA++;
    const left = available.get(char) ?? 0;
    if (left > 0) {
      matches++;
      available.set(char, left - 1);
    }
  }
  const total = lengthA + lengthB;
  return total === 0 ? 1 : (2 * matches) / total;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// Django's list (see data/README.md). Immutable data shared by every context, so one lazily-made
// copy per process is safe, unlike state; loading it costs ~10 ms, paid once.
const COMMON_PASSWORDS_FILE = new URL('./data/common-passwords.txt.gz', import.meta.url);
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * Loads Django's common-password list (once). Call it at start-up to pay the load there, and to
 * fail at start-up rather than at the first sign-up should the list be missing from a build.
 *
 * @example
 * loadCommonPasswords().size; // 19727
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  if (!commonPasswords) {
    let text: string;
    try {
      text = gunzipSync(readFileSync(COMMON_PASSWORDS_FILE)).toString('utf8');
    } catch (err) {
      throw new Error(
        `gatehouse: cannot read the common-password list at ${COMMON_PASSWORDS_FILE.pathname} ` +
          `(the build must copy src/core/data/ beside core/): ${(err as Error).message}`,
      );
    }
    const lines = text.split('\n').map((line) => line.trim());
    commonPasswords = new Set(lines.filter((line) => line !== ''));
  }
  return commonPasswords;
}

/**
 * Django's CommonPasswordValidator test: the lower-cased, trimmed password is on the list.
 *
 * @example
 * isCommonPassword('Password '); // true
 */
export function isCommonPassword(password: string): boolean {
  return loadCommonPasswords().has(password.toLowerCase().trim());
}
