import { randomUUID } from 'node:crypto';
import { TokenNotValid } from '../../core/errors.js';
import type { JwtSettings, JwtTokenType } from '../../core/settings/jwt.js';
import type { UserRecord } from '../../stores/types.js';
import type { JwtPayload } from './keyring.js';

/** simplejwt's TokenError messages, which clients and tests match on. */
export const MESSAGES = {
  invalid: 'Token is invalid or expired',
  blacklisted: 'Token is blacklisted',
  noId: 'Token has no id',
  noType: 'Token has no type',
  wrongType: 'Token has wrong type',
  noUser: 'Token contained no recognizable user identification',
  noClaim: (claim: string) => `Token has no '${claim}' claim`,
  claimExpired: (claim: string) => `Token '${claim}' claim has expired`,
} as const;

/**
 * A private claim: the issue instant in milliseconds. `iat` has whole seconds, and the
 * logout-everywhere cutoff is in milliseconds: without it a login in the same second as a
 * logout-all would be refused (or, rounding the other way, a token from just before it kept).
 */
export const IAT_MS_CLAIM = 'iat_ms';

/**
 * When the user signed in with their password (and second factor), in seconds (OpenID Connect's
 * claim): set at obtain and carried unchanged through every refresh, so a sensitive action can
 * ask for a recent sign-in (docs/mfa.md, step-up) whatever the access token's own age.
 */
export const AUTH_TIME_CLAIM = 'auth_time';

/** The sign-in instant a token carries (ms), or null when it has none. */
export function authTimeMs(payload: JwtPayload): number | null {
  const t = payload[AUTH_TIME_CLAIM];
  return typeof t === 'number' && Number.isFinite(t) ? t * 1000 : null;
}

/** The claim to copy into the tokens a refresh makes: the same sign-in instant, or none. */
export function carriedAuthTime(payload: JwtPayload): Record<string, number> {
  const t = payload[AUTH_TIME_CLAIM];
  return typeof t === 'number' && Number.isFinite(t) ? { [AUTH_TIME_CLAIM]: t } : {};
}

/** A token whose signature and claims checked out. */
export interface VerifiedToken {
  payload: JwtPayload;
  type: string;
  jti: string;
  /** Seconds, as in the token. */
  exp: number;
}

/**
 * Checks the registered claims the way simplejwt (and PyJWT under it) does, against `now` (ms)
 * with the configured leeway: exp required and not past, nbf and iat not in the future, a jti, a
 * type among `types` (any type when null). Throws TokenNotValid with simplejwt's message.
 */
export function checkClaims(
  jwt: JwtSettings,
  payload: JwtPayload,
  types: readonly string[] | null,
  now: number,
): VerifiedToken {
  const leeway = jwt.leeway * 1000;
  const { exp, nbf, iat } = payload;
  if (exp !== undefined && typeof exp !== 'number') throw new TokenNotValid(MESSAGES.invalid);
  if (typeof exp === 'number' && exp * 1000 <= now - leeway) throw new TokenNotValid(MESSAGES.invalid);
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 > now + leeway)) {
    throw new TokenNotValid(MESSAGES.invalid);
  }
  // PyJWT compares iat with "now" in whole seconds.
  if (iat !== undefined && (typeof iat !== 'number' || iat > Math.floor(now / 1000) + jwt.leeway)) {
    throw new TokenNotValid(MESSAGES.invalid);
  }
  if (exp === undefined) throw new TokenNotValid(MESSAGES.noClaim('exp'));
  const jti = payload[jwt.jtiClaim];
  if (jti === undefined) throw new TokenNotValid(MESSAGES.noId);
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 255)
    throw new TokenNotValid(MESSAGES.invalid);
  const type = payload[jwt.tokenTypeClaim];
  if (types !== null) {
    if (type === undefined) throw new TokenNotValid(MESSAGES.noType);
    if (typeof type !== 'string' || !types.includes(type)) throw new TokenNotValid(MESSAGES.wrongType);
  }
  return { payload, type: typeof type === 'string' ? type : '', jti, exp };
}

/** When the token was issued (ms): the private claim when it agrees with `iat`, else `iat` (0 without). */
export function issuedAtMs(payload: JwtPayload): number {
  const { iat } = payload;
  const ms = payload[IAT_MS_CLAIM];
  if (typeof iat !== 'number') return 0;
  if (typeof ms === 'number' && Math.floor(ms / 1000) === iat) return ms;
  return iat * 1000;
}

/** The user id a token names: an integer, or a string of digits (simplejwt writes non-int ids as strings). */
export function userIdOf(jwt: JwtSettings, payload: JwtPayload): number {
  const raw = payload[jwt.userIdClaim];
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw)) return Number(raw);
  throw new TokenNotValid(MESSAGES.noUser);
}

/**
 * The payload of a new token, in simplejwt's claim order (type, exp, iat, jti, user id), then
 * the custom claims, then aud and iss. Reserved claims win over custom ones.
 */
export function newPayload(
  jwt: JwtSettings,
  user: UserRecord,
  type: JwtTokenType,
  lifetimeSeconds: number,
  now: number,
  custom: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
): JwtPayload {
  const payload: JwtPayload = {
    [jwt.tokenTypeClaim]: type,
    exp: Math.floor((now + lifetimeSeconds * 1000) / 1000),
    iat: Math.floor(now / 1000),
    [jwt.jtiClaim]: randomUUID().replaceAll('-', ''),
    [jwt.userIdClaim]: user.id,
    ...extra,
    [IAT_MS_CLAIM]: now,
  };
  if (custom) {
    for (const key of Object.keys(custom)) {
      if (!(key in payload) && key !== 'aud' && key !== 'iss') payload[key] = custom[key];
    }
  }
  if (jwt.audience !== undefined) payload.aud = jwt.audience;
  if (jwt.issuer !== undefined) payload.iss = jwt.issuer;
  return payload;
}
