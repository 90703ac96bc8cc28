import { randomUUID } from 'node:crypto';
import { audit } from '../../core/audit.js';
import type { Context } from '../../core/context.js';
import { issuedBeforeCutoff } from '../../core/credentials.js';
import { endedSince } from '../../core/ended-since.js';
import { AuthenticationFailed, TokenNotValid } from '../../core/errors.js';
import type { AuthRequest } from '../../core/request.js';
import type { JwtTokenType } from '../../core/settings/jwt.js';
import { randomId } from '../../crypto/random.js';
import type { RefreshSuccessor, UserRecord } from '../../stores/types.js';
import {
  AUTH_TIME_CLAIM,
  carriedAuthTime,
  checkClaims,
  issuedAtMs,
  MESSAGES,
  newPayload,
  userIdOf,
  type VerifiedToken,
} from './claims.js';
import { buildKeyring, type Keyring } from './keyring.js';

/** A login's tokens, in simplejwt's response order. */
export interface TokenPair {
  refresh: string;
  access: string;
}

/**
 * The JWT service the scheme and the token endpoints share: issue, verify, refresh, blacklist.
 * Keys and verifiers are built once, by createServices; requests only read them.
 */
export interface JwtTokens {
  readonly keyring: Keyring;
  /** Verifies signature and claims; `types` null accepts any type (the verify endpoint). */
  verify(token: string, types: readonly string[] | null): Promise<VerifiedToken>;
  /** The user a token names, who must exist and be active (simplejwt's get_user messages). */
  userFor(token: VerifiedToken): Promise<UserRecord>;
  /** True when the user logged out everywhere after this token was issued. */
  revokedByCutoff(user: UserRecord, token: VerifiedToken): boolean;
  /** A new access/refresh pair; the refresh token is recorded as outstanding in a new family. */
  issuePair(user: UserRecord): Promise<TokenPair>;
  /** A new sliding token (simplejwt's SlidingToken). */
  issueSliding(user: UserRecord): Promise<string>;
  /**
   * Whether a verified refresh token could still be spent: not blacklisted, its family not
   * revoked (a logout, logout-everywhere or a detected theft), and not spent already when a spent
   * token is spent for good (rotation with `blacklistAfterRotation`). Reads, spends nothing.
   */
  refreshable(token: VerifiedToken): Promise<boolean>;
  /**
   * Spends a refresh token: the next pair (or only an access token when not rotating). Inside
   * `jwt.reuseGraceSeconds` of its rotation, while the successor is unspent, a presentation of
   * the spent token gets that same successor again with a fresh access token (see docs/jwt.md).
   */
  refresh(token: string, req: AuthRequest): Promise<{ access: string; refresh?: string }>;
  /** Renews a sliding token whose refresh window is still open. */
  refreshSliding(token: string): Promise<string>;
  /** Ends a refresh token and its family (logout of one login). */
  blacklist(token: string, req: AuthRequest): Promise<void>;
}

/**
 * Builds the JWT service of a context: its keyring (keys parsed, verifiers made) and its
 * verified-token cache. `createServices` makes one, shared by the scheme and the routes, so both
 * verify with the same keyring and cache.
 *
 * @example
 * const tokens = createJwtTokens(ctx);
 * const pair = await tokens.issuePair(user);
 */
export function createJwtTokens(ctx: Context): JwtTokens {
  const { jwt } = ctx.config;
  const { stores, clock } = ctx;
  const keyring = buildKeyring(ctx);
  // Spent once, and a replay revokes the family; otherwise simplejwt's looser rotation.
  const strict = jwt.rotateRefreshTokens && jwt.blacklistAfterRotation;
  const graceMs = jwt.reuseGraceSeconds * 1000;
  if (jwt.rotateRefreshTokens && graceMs > 0 && !stores.jwtState.rotate) {
    ctx.logger.warn(
      { setting: 'jwt.reuseGraceSeconds' },
      'the JwtStateStore has no rotate(): refresh tokens rotate without the reuse grace window (two tabs refreshing at once end their login); implement rotate() or set jwt.reuseGraceSeconds: 0',
    );
  }

  const sign = async (user: UserRecord, type: JwtTokenType, lifetime: number, now: number, extra = {}) => {
    if (!keyring.signer) throw new Error('JWT: no signing key is configured (verify-only)');
    const custom = jwt.customClaims ? await jwt.customClaims(user, type) : undefined;
    const payload = newPayload(jwt, user, type, lifetime, now, custom, extra);
    return { token: keyring.signer.sign(payload), payload };
  };

  const issuePair = async (
    user: UserRecord,
    familyId: string,
    now: number,
    authTime: Record<string, number>,
  ): Promise<TokenPair> => {
    const refresh = await sign(user, 'refresh', jwt.refreshTokenLifetime, now, authTime);
    const access = await sign(user, 'access', jwt.accessTokenLifetime, now, authTime);
    await stores.jwtState.recordOutstanding({
      jti: refresh.payload[jwt.jtiClaim] as string,
      userId: user.id,
      familyId,
      issuedAt: now,
      expiresAt: (refresh.payload.exp as number) * 1000,
    });
    return { refresh: refresh.token, access: access.token };
  };

  /** The refresh token a successor record names, signed: the same claims every time it is signed. */
  const signRefresh = async (
    user: UserRecord,
    next: RefreshSuccessor,
    authTime: Record<string, number>,
  ): Promise<string> => {
    const extra = { ...authTime, exp: Math.floor(next.expiresAt / 1000), [jwt.jtiClaim]: next.jti };
    return (await sign(user, 'refresh', jwt.refreshTokenLifetime, next.issuedAt, extra)).token;
  };

  /** The successor a rotation at `now` records before it is signed (newPayload's jti and exp). */
  const successorAt = (now: number): RefreshSuccessor => ({
    jti: randomUUID().replaceAll('-', ''),
    issuedAt: now,
    expiresAt: Math.floor((now + jwt.refreshTokenLifetime * 1000) / 1000) * 1000,
  });

  const verify = async (token: string, types: readonly string[] | null): Promise<VerifiedToken> => {
    const now = clock.now();
    const payload = await keyring.verify(token, now);
    return checkClaims(jwt, payload, types, now);
  };

  const activeUser = async (id: number): Promise<UserRecord> => {
    const user = await stores.users.findById(id);
    // simplejwt 5.3's wording for a refresh whose user is gone or inactive.
    if (!user || !user.isActive) {
      throw new AuthenticationFailed('No active account found for the given token.', 'no_active_account');
    }
    return user;
  };

  const reuseDetected = async (row: { jti: string; userId: number; familyId: string }, req: AuthRequest) => {
    await stores.jwtState.revokeFamily(row.familyId, clock.now());
    const user = await stores.users.findById(row.userId);
    await audit(ctx, req, 'refresh_reuse_detected', {
      user: user ?? { id: row.userId, username: '' },
      scheme: 'jwt',
      detail: { jti: row.jti, familyId: row.familyId },
    });
    return new TokenNotValid(MESSAGES.blacklisted);
  };

  /**
   * Rotation through the store's one atomic step: the winner of concurrent presentations records
   * the successor, and every other presentation inside the grace window is handed that same one.
   */
  const rotateRefresh = async (
    user: UserRecord,
    jti: string,
    now: number,
    req: AuthRequest,
    authTime: Record<string, number>,
  ) => {
    const next = successorAt(now);
    const rotated = await stores.jwtState.rotate?.(jti, now, next, graceMs);
    if (!rotated) throw new Error('JWT: rotateRefresh needs a JwtStateStore with rotate()');
    if (rotated.status === 'unknown') throw new TokenNotValid(MESSAGES.invalid);
    if (rotated.status === 'revoked') throw new TokenNotValid(MESSAGES.blacklisted);
    if (rotated.status === 'reused' && strict) throw await reuseDetected(rotated.token, req);
    const row = rotated.token;
    if (row.userId !== user.id) throw new TokenNotValid(MESSAGES.invalid);
    if (issuedBeforeCutoff(user, row.issuedAt)) throw new TokenNotValid(MESSAGES.blacklisted);
    // Without blacklistAfterRotation a spent token outside the window still refreshes (simplejwt):
    // into a new successor of the same family, as before.
    const pair =
      rotated.status === 'reused'
        ? await issuePair(user, row.familyId, now, authTime)
        : {
            refresh: await signRefresh(
              user,
              rotated.status === 'replayed' ? rotated.successor : next,
              authTime,
            ),
            access: (await sign(user, 'access', jwt.accessTokenLifetime, now, authTime)).token,
          };
    // A logout-everywhere that landed after the user was read cut nothing issued at or after
    // its instant: what this refresh made must not be handed out (its family is revoked).
    if (await endedSince(ctx, user)) throw new TokenNotValid(MESSAGES.blacklisted);
    const event = rotated.status === 'replayed' ? 'refresh_replayed' : 'refresh_rotated';
    await audit(ctx, req, event, { user, scheme: 'jwt', detail: { familyId: row.familyId } });
    return { access: pair.access, refresh: pair.refresh };
  };

  return {
    keyring,
    verify,
    async userFor(token) {
      const user = await stores.users.findById(userIdOf(jwt, token.payload));
      if (!user) throw new AuthenticationFailed('User not found', 'user_not_found');
      if (!user.isActive) throw new AuthenticationFailed('User is inactive', 'user_inactive');
      return user;
    },
    revokedByCutoff: (user, token) => issuedBeforeCutoff(user, issuedAtMs(token.payload)),
    issuePair: (user) => {
      const now = clock.now();
      return issuePair(user, randomId(), now, { [AUTH_TIME_CLAIM]: Math.floor(now / 1000) });
    },
    async issueSliding(user) {
      const now = clock.now();
      const refreshExp = Math.floor((now + jwt.slidingTokenRefreshLifetime * 1000) / 1000);
      const extra = {
        [jwt.slidingTokenRefreshExpClaim]: refreshExp,
        [AUTH_TIME_CLAIM]: Math.floor(now / 1000),
      };
      return (await sign(user, 'sliding', jwt.slidingTokenLifetime, now, extra)).token;
    },

    async refreshable(token) {
      const state = await stores.jwtState.refreshState(token.jti);
      // simplejwt's verify accepts a refresh token it never recorded: so does this ('unknown').
      return state !== 'revoked' && !(state === 'spent' && strict);
    },

    async refresh(token, req) {
      const verified = await verify(token, ['refresh']);
      // Everything that can fail without the token being at fault is read before it is spent:
      // a users store that is down must not burn it, or the client's retry would look like a
      // replay and end its login.
      const user = await activeUser(userIdOf(jwt, verified.payload));
      const now = clock.now();
      // The sign-in the refresh token came from, not this refresh, is what "recent" measures.
      const authTime = carriedAuthTime(verified.payload);
      if (jwt.rotateRefreshTokens && stores.jwtState.rotate)
        return rotateRefresh(user, verified.jti, now, req, authTime);
      const spent = await stores.jwtState.spend(verified.jti, now);
      if (spent.status === 'unknown') throw new TokenNotValid(MESSAGES.invalid);
      if (spent.status === 'revoked') throw new TokenNotValid(MESSAGES.blacklisted);
      if (spent.status === 'reused' && strict) throw await reuseDetected(spent.token, req);
      const row = spent.token;
      if (row.userId !== user.id) throw new TokenNotValid(MESSAGES.invalid);
      if (issuedBeforeCutoff(user, row.issuedAt)) throw new TokenNotValid(MESSAGES.blacklisted);
      if (!jwt.rotateRefreshTokens) {
        const access = (await sign(user, 'access', jwt.accessTokenLifetime, now, authTime)).token;
        if (await endedSince(ctx, user)) throw new TokenNotValid(MESSAGES.blacklisted);
        return { access };
      }
      const pair = await issuePair(user, row.familyId, now, authTime);
      // A logout-everywhere that landed after the user was read cut nothing issued at or after
      // its instant: what this refresh made must not be handed out (its family is revoked).
      if (await endedSince(ctx, user)) throw new TokenNotValid(MESSAGES.blacklisted);
      await audit(ctx, req, 'refresh_rotated', { user, scheme: 'jwt', detail: { familyId: row.familyId } });
      return { access: pair.access, refresh: pair.refresh };
    },

    async refreshSliding(token) {
      const verified = await verify(token, ['sliding']);
      const now = clock.now();
      if (await stores.jwtState.isBlacklisted(verified.jti)) throw new TokenNotValid(MESSAGES.blacklisted);
      const claim = jwt.slidingTokenRefreshExpClaim;
      const refreshExp = verified.payload[claim];
      if (refreshExp === undefined) throw new TokenNotValid(MESSAGES.noClaim(claim));
      if (typeof refreshExp !== 'number' || refreshExp * 1000 <= now - jwt.leeway * 1000) {
        throw new TokenNotValid(MESSAGES.claimExpired(claim));
      }
      const user = await activeUser(userIdOf(jwt, verified.payload));
      if (issuedBeforeCutoff(user, issuedAtMs(verified.payload))) throw new TokenNotValid(MESSAGES.invalid);
      if (!keyring.signer) throw new Error('JWT: no signing key is configured (verify-only)');
      // simplejwt keeps every claim (jti and refresh_exp included) and moves exp and iat.
      const renewed = newPayload(jwt, user, 'sliding', jwt.slidingTokenLifetime, now, verified.payload);
      renewed[jwt.jtiClaim] = verified.jti;
      renewed[claim] = refreshExp;
      const signed = keyring.signer.sign(renewed);
      if (await endedSince(ctx, user)) throw new TokenNotValid(MESSAGES.invalid);
      return signed;
    },

    async blacklist(token, req) {
      const verified = await verify(token, ['refresh']);
      const now = clock.now();
      const expiresAt = verified.exp * 1000;
      const spent = await stores.jwtState.spend(verified.jti, now);
      if (spent.status === 'revoked') throw new TokenNotValid(MESSAGES.blacklisted);
      if (spent.status === 'reused' && strict) throw await reuseDetected(spent.token, req);
      await stores.jwtState.blacklist(verified.jti, expiresAt, now);
      if (spent.status === 'unknown') return;
      // Logging out ends the login: every token of the family, not only the one presented.
      await stores.jwtState.revokeFamily(spent.token.familyId, now);
      const user = await stores.users.findById(spent.token.userId);
      await audit(ctx, req, 'logout', {
        user: user ?? { id: spent.token.userId, username: '' },
        scheme: 'jwt',
        detail: { familyId: spent.token.familyId },
      });
    },
  };
}
