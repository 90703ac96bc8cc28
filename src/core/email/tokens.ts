import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../crypto/random.js';
import type { UserRecord } from '../../stores/types.js';
import type { GatehouseConfig } from '../config.js';

/** What a link in a mail is for; each has its own key, so one kind never passes for another. */
export type EmailTokenPurpose = 'reset' | 'verify' | 'change';

/** A token as read back from a link (not yet checked against a user). */
export interface ParsedEmailToken {
  /** Seconds since the epoch when it was made. */
  readonly issuedAt: number;
  readonly mac: string;
  /** The address an email-change link confirms; absent for the other kinds. */
  readonly newEmail: string | null;
}

const MAC_CHARS = 40;
const TOKEN = /^([0-9a-z]{1,10})-([0-9a-f]{40})(?:-([A-Za-z0-9_-]{1,400}))?$/;
/** A token made up to a minute "in the future" (another instance's clock) still counts. */
const SKEW_SECONDS = 60;

/**
 * The state a token is bound to, as Django's PasswordResetTokenGenerator binds a reset token to
 * the password hash and last login: when any of it changes the token dies, so nothing is
 * stored and a used link cannot be used again. A reset dies when the password changes (the
 * reset itself), at a login, or when the address changes; a verification once the address is
 * verified or changed; an email change once the address changed or the password did.
 */
function boundState(purpose: EmailTokenPurpose, user: UserRecord, newEmail: string | null): unknown[] {
  switch (purpose) {
    case 'reset':
      return [user.id, user.passwordHash, user.lastLogin ?? '', user.email];
    case 'verify':
      return [user.id, user.email, user.emailVerified === true];
    case 'change':
      return [user.id, user.email, user.passwordHash, newEmail];
  }
}

function mac(
  secret: string,
  purpose: EmailTokenPurpose,
  user: UserRecord,
  issuedAt: number,
  newEmail: string | null,
) {
  // A key per purpose (Django's key_salt), then the state and time as one unambiguous string.
  const key = createHmac('sha256', secret).update(`gatehouse.email.${purpose}`).digest();
  const state = JSON.stringify([...boundState(purpose, user, newEmail), issuedAt]);
  return createHmac('sha256', key).update(state).digest('hex').slice(0, MAC_CHARS);
}

/**
 * Makes the token of a mail's link: `<time base36>-<hmac>` (and `-<new address, base64url>` for
 * an email change), signed with the secret key.
 *
 * @example
 * const token = makeEmailToken(config, 'reset', user, clock.now());
 */
export function makeEmailToken(
  config: GatehouseConfig,
  purpose: EmailTokenPurpose,
  user: UserRecord,
  nowMs: number,
  newEmail: string | null = null,
): string {
  const issuedAt = Math.floor(nowMs / 1000);
  const head = `${issuedAt.toString(36)}-${mac(config.secretKey, purpose, user, issuedAt, newEmail)}`;
  return newEmail === null ? head : `${head}-${Buffer.from(newEmail).toString('base64url')}`;
}

/** Reads a token's parts, or null when it is not shaped like one. */
export function parseEmailToken(token: string): ParsedEmailToken | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const newEmail = m[3] === undefined ? null : Buffer.from(m[3], 'base64url').toString('utf8');
  return { issuedAt: Number.parseInt(m[1]!, 36), mac: m[2]!, newEmail };
}

/**
 * Whether `token` is a live token of `purpose` for `user`: made with the secret key (or one of
 * its fallbacks, so a key rotation does not kill links in flight), over the user's current state,
 * within `timeoutSeconds`. Compared in constant time.
 *
 * @example
 * if (!checkEmailToken(config, 'reset', user, token, clock.now(), config.email.resetTimeout)) throw …;
 */
export function checkEmailToken(
  config: GatehouseConfig,
  purpose: EmailTokenPurpose,
  user: UserRecord,
  token: ParsedEmailToken,
  nowMs: number,
  timeoutSeconds: number,
): boolean {
  const age = Math.floor(nowMs / 1000) - token.issuedAt;
  if (age > timeoutSeconds || age < -SKEW_SECONDS) return false;
  let ok = false;
  for (const secret of [config.secretKey, ...config.secretKeyFallbacks]) {
    // Every key is tried, so the time taken does not say which one matched.
    if (constantTimeEqual(mac(secret, purpose, user, token.issuedAt, token.newEmail), token.mac)) ok = true;
  }
  return ok;
}

/**
 * The `uid` of a link: the user's id in base64url, as Django's urlsafe_base64_encode(pk).
 *
 * @example
 * encodeUid(42); // 'NDI'
 */
export function encodeUid(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

/** The id a `uid` names, or null when it is not one (Django answers such a link as invalid). */
export function decodeUid(uid: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,24}$/.test(uid)) return null;
  const text = Buffer.from(uid, 'base64url').toString('utf8');
  if (!/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}
