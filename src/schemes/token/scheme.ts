import type { Context } from '../../core/context.js';
import { issuedBeforeCutoff } from '../../core/credentials.js';
import { endedSince } from '../../core/ended-since.js';
import { AuthenticationFailed } from '../../core/errors.js';
import type { AuthRequest } from '../../core/request.js';
import type { Authenticator, AuthResultOf } from '../../core/scheme.js';
import { apiKeyDigest, parseApiKey } from '../../crypto/api-keys.js';
import type { ApiTokenRecord } from '../../stores/types.js';
import { lookupWithUser } from '../lookup-with-user.js';
import { readTokenHeader } from './header.js';
import { hasExpired, tokenUsageRecorder } from './usage.js';

/** What `auth` holds for a token-authenticated request: the token's row, without its digest. */
export type ApiTokenAuth = Omit<ApiTokenRecord, 'digest'>;

declare module '../../core/scheme.js' {
  interface CredentialTypes {
    /** A token-authenticated request's credential: the token's row, without its digest. */
    token: ApiTokenAuth;
  }
}

/** Who is calling, when an API token said so. */
export type TokenAuthResult = AuthResultOf<'token'>;

/**
 * Opaque API tokens with DRF's wire behaviour (TokenAuthentication): `Authorization: Token
 * <key>`, the keyword matched case-insensitively, DRF's messages for a malformed header, and
 * `WWW-Authenticate: Token`. Keys are looked up by their SHA-256 digest (one indexed read) after
 * the checksum has ruled out typos and made-up strings without touching the store.
 *
 * `auth` in the result is the token row (without its digest); a token made with scopes puts them
 * in the result's `scopes`, which permissions such as `hasScope('notes:write')` read. The token
 * is live while its row is there.
 *
 * @example
 * const token = tokenScheme(ctx);
 * const who = await token.authenticate(createAuthRequest({ method: 'GET', url: '/', headers: { authorization: `Token ${key}` } }));
 */
export function tokenScheme(ctx: Context): Authenticator<TokenAuthResult> {
  const { keyword } = ctx.config.tokens;
  const keywordLower = keyword.toLowerCase();
  const recordUse = tokenUsageRecorder(ctx);
  const { apiTokens, users } = ctx.stores;
  const lookup = lookupWithUser((digest) => apiTokens.findByDigest(digest), apiTokens.withUser, users);

  return {
    name: 'token',
    // DRF's authenticate_header: the bare keyword.
    challenge: () => keyword,
    async authenticate(req: AuthRequest): Promise<TokenAuthResult | null> {
      const key = readTokenHeader(req.headers.authorization, keywordLower);
      if (key === null) return null;
      if (!parseApiKey(key)) throw invalidToken();
      const found = await lookup(apiKeyDigest(key));
      const now = ctx.clock.now();
      if (!found) throw invalidToken();
      const { record: token, user } = found;
      if (hasExpired(token, now)) throw invalidToken();
      if (!user || !user.isActive) throw new AuthenticationFailed('User inactive or deleted.');
      // Logout-everywhere deletes the rows; the cutoff also covers a row another instance wrote
      // just before it, or a store that was restored from a backup.
      if (issuedBeforeCutoff(user, token.createdAt)) throw invalidToken();
      recordUse(token, now);
      const { digest: _digest, ...auth } = token;
      // Only a token made with scopes is limited; one without acts with the user's full rights.
      return auth.scopes.length > 0
        ? { user, auth, scheme: 'token', scopes: auth.scopes }
        : { user, auth, scheme: 'token' };
    },
    // Revoking the token deletes its row.
    async isLive({ user, auth }) {
      if (await endedSince(ctx, user)) return false;
      return (await apiTokens.findById(user.id, auth.id)) !== null;
    },
  };
}

function invalidToken(): AuthenticationFailed {
  return new AuthenticationFailed('Invalid token.');
}
