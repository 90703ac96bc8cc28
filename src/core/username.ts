/** Django's username max_length: longer names cannot exist, so they are refused before any lookup. */
export const MAX_USERNAME_LENGTH = 150;

/**
 * A username in the one form it is stored, looked up, throttled and audited under: Unicode NFKC,
 * as Django's `AbstractBaseUser.normalize_username` and its login form's `UsernameField` apply.
 * Without it `ａｄｍｉｎ` (fullwidth) or `adⅠin` (Roman numeral one) would register beside `admin`
 * and read the same on screen.
 *
 * @example
 * normalizeUsername('ａｄｍｉｎ'); // 'admin'
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/**
 * Why a (normalised) username cannot name a user, or null when it may: too long (so a 60,000
 * character name never reaches the audit trail, the logs or a throttle key), or holding U+0000
 * (which PostgreSQL cannot store, so no user can have it). Checked at every endpoint that takes a
 * username, before anything is looked up, stored or logged.
 *
 * @example
 * usernameInputProblem('x'.repeat(151)); // 'Ensure this field has no more than 150 characters.'
 */
export function usernameInputProblem(username: string): string | null {
  if (username.length > MAX_USERNAME_LENGTH)
    return `Ensure this field has no more than ${MAX_USERNAME_LENGTH} characters.`;
  if (username.includes('\0')) return 'Null characters are not allowed.';
  return null;
}
