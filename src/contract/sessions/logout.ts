import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { TokenNotValid } from '../../core/errors.js';
import { allowAny } from '../../core/permissions.js';
import type { AuthRequest } from '../../core/request.js';
import type { AuthResult } from '../../core/scheme.js';
import { MESSAGES, userIdOf } from '../../schemes/jwt/claims.js';
import { revokeApiToken } from '../../schemes/token/issue.js';
import type { Services } from '../../services/types.js';
import { jwtTransport } from '../jwt/cookie-transport.js';
import type { Route } from '../types.js';
import { clearCredentialHeaders } from './clear-credentials.js';

/** Ends one credential of the caller; what that means depends on the scheme it came by. */
type EndCredential = (req: AuthRequest, auth: AuthResult | null, body: unknown) => Promise<void>;

/**
 * `POST /api/auth/logout/`: ends the credential the request came with, and only that one.
 * A session cookie: the session row is deleted (Django's logout). `Authorization: Token …`: that
 * token is revoked (knox's and dj-rest-auth's logout). A Bearer access token with
 * `{"refresh": …}`: that refresh token is blacklisted with its family (dj-rest-auth with
 * simplejwt), the refresh cookie standing in for the body with `jwt.cookie`. Basic carries
 * nothing to end. The browser's gatehouse cookies are cleared in every case.
 *
 * @example
 * await fetch('/api/auth/logout/', { method: 'POST', headers: { authorization: `Token ${key}` } });
 */
export function logoutRoute(services: Services): Route {
  const { ctx, schemes, jwt } = services;
  const endSession = sessionLogout(services);
  const endJwt = jwt ? jwtLogout(services) : null;
  return {
    method: 'POST',
    path: '/api/auth/logout/',
    permission: allowAny,
    // Every configured scheme: each recognises its own credential. The session scheme enforces
    // CSRF when its cookie is live, so a forged logout is refused.
    summary:
      'Sign out this credential: the session ends, the API token is revoked, or the refresh token is blacklisted.',
    ...(endJwt
      ? {
          body: z.object({
            refresh: z
              .string()
              .optional()
              .describe('With a Bearer access token: the refresh token of that login, blacklisted.'),
          }),
        }
      : {}),
    responses: { 204: { description: 'Signed out (also when there was nothing to end).' } },
    async handler({ req, auth, body }) {
      // With jwt.cookie the answer clears the browser's JWT cookies, so a page on another site
      // must not be able to send it (logout CSRF): the full CSRF check, unless the caller signed
      // in with its Authorization header, which no other site can make a browser send.
      if (services.jwtCookies && !(auth && req.headers.authorization)) services.csrf.enforce(req);
      if (auth?.scheme === 'token') {
        await revokeApiToken(ctx, auth.user, auth.auth.id, req, 'logout');
      } else if (auth?.scheme === 'jwt' && endJwt) {
        await endJwt(req, auth, body);
      } else if (schemes.session && (auth === null || auth.scheme === 'session')) {
        await endSession(req, auth, body);
      }
      return { status: 204, headers: clearCredentialHeaders(services, req) };
    },
  };
}

/** Django's logout: the session row (if the cookie names one) is deleted. */
function sessionLogout({ ctx, sessions }: Services): EndCredential {
  return async (req, auth) => {
    const row = await sessions.end(req);
    if (row && auth) {
      await audit(ctx, req, 'logout', { user: auth.user, scheme: 'session', detail: { sessionId: row.id } });
    }
  };
}

/**
 * dj-rest-auth's JWT logout: the refresh token in the body (or the refresh cookie) is
 * blacklisted, with its family. It must be the caller's own: an access token does not let one
 * end another user's login. An access token cannot be revoked alone; it lives out its minutes.
 */
function jwtLogout(services: Services): EndCredential {
  const { ctx, csrf } = services;
  const tokens = services.jwt!;
  const transport = jwtTransport(services.jwtCookies, csrf);
  const { jwt } = ctx.config;
  return async (req, auth, body) => {
    const claims = auth?.scheme === 'jwt' ? auth.auth : null;
    if (claims && claims[jwt.tokenTypeClaim] === 'sliding') {
      // A sliding token is its own refresh token: blacklisting it ends it (simplejwt's blacklist).
      const jti = claims[jwt.jtiClaim];
      if (typeof jti === 'string' && typeof claims.exp === 'number') {
        await ctx.stores.jwtState.blacklist(jti, claims.exp * 1000, ctx.clock.now());
        await audit(ctx, req, 'logout', { user: auth!.user, scheme: 'jwt', detail: { jti } });
      }
      return;
    }
    const refresh = transport.refreshToken(req, body);
    const verified = await tokens.verify(refresh, ['refresh']);
    if (auth === null || userIdOf(ctx.config.jwt, verified.payload) !== auth.user.id) {
      throw new TokenNotValid(MESSAGES.invalid);
    }
    await tokens.blacklist(refresh, req);
  };
}
