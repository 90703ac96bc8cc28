import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { AuthenticationFailed, TokenNotValid } from '../../core/errors.js';
import { allowAny } from '../../core/permissions.js';
import type { AuthRequest } from '../../core/request.js';
import { MESSAGES } from '../../schemes/jwt/claims.js';
import type { JwtTokens, TokenPair } from '../../schemes/jwt/tokens.js';
import { noActiveAccount } from '../../services/sign-in.js';
import type { Services } from '../../services/types.js';
import type { UserRecord } from '../../stores/types.js';
import { CSRF_FAILED, THROTTLED } from '../responses.js';
import {
  answerLogin,
  eitherStep,
  type LoginIssuer,
  parseSignInBody,
  SIGN_IN_REFUSED,
  signInWith,
} from '../sign-in-body.js';
import type { Route, RouteFactory, RouteResponseDoc } from '../types.js';
import { validateBody } from '../validate.js';
import { jwtTransport } from './cookie-transport.js';

/** Longest token accepted in a body: bounds the work a hostile one can cause. */
const MAX_TOKEN = 8192;
const token = z.string().min(1).max(MAX_TOKEN);
const tokenBody = z.object({ token });
const pairSchema = z.object({ refresh: z.string(), access: z.string() });
const refreshedSchema = z.object({
  access: z.string(),
  refresh: z.string().optional().describe('With rotateRefreshTokens (the default): the next refresh token.'),
});
// With jwt.cookie (and refreshInBody off) the refresh token is in its HttpOnly cookie only.
const cookiePairSchema = z.object({ access: z.string() });
const emptySchema = z.object({});
const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/**
 * simplejwt's token views: obtain a pair, refresh, verify, blacklist, and the sliding pair when
 * sliding tokens are on; plus `GET /.well-known/jwks.json` with the public keys. They take no
 * credentials (the credentials are the body) and answer a 401 with `Bearer realm="api"`, as
 * simplejwt's views do. Mounted when `jwt` is one of the configured schemes.
 *
 * @example
 * const gh = createGatehouse({ config, stores, routes: [jwtRoutes] });
 */
export const jwtRoutes: RouteFactory = (services): Route[] => {
  // The JWT service exists exactly when the jwt scheme is configured.
  const { ctx, jwt: tokens, throttle, signIn } = services;
  if (!tokens) return [];
  const { jwt } = ctx.config;
  // Bodies, and with jwt.cookie also HttpOnly cookies (refresh and blacklist read either).
  const transport = jwtTransport(services.jwtCookies, services.csrf);
  const challenge = `${jwt.authHeaderTypes[0]} realm="api"`;
  // What the document says of the cookie transport: bodies without the refresh token, and CSRF.
  const refreshOutOfBody = services.jwtCookies !== null && !services.jwtCookies.settings.refreshInBody;
  const csrfChecked: Record<number, RouteResponseDoc> = services.jwtCookies ? { 403: CSRF_FAILED } : {};
  const post = (
    path: string,
    doc: Pick<Route, 'summary' | 'body' | 'responses'>,
    handler: Route['handler'],
  ): Route => ({
    method: 'POST',
    path,
    permission: allowAny,
    schemes: [],
    challenge,
    ...doc,
    handler,
  });
  /**
   * simplejwt's TokenObtainSerializer: a wrong password and an inactive user get the same 401.
   * Nothing to undo when the sign-in is refused after issuing: the tokens are never handed out
   * (their refresh family is revoked by the logout that refused it).
   */
  const obtain = async <C>(
    req: AuthRequest,
    route: string,
    body: unknown,
    issue: (user: UserRecord) => Promise<C>,
  ): Promise<C> => {
    const { credential } = await signInWith<C>(signIn, parseSignInBody(credentials, body), {
      req,
      route,
      scheme: 'jwt',
      refused: noActiveAccount,
      updateLastLogin: jwt.updateLastLogin,
      issue: async (user) => ({ credential: await issue(user), undo: async () => {} }),
    });
    return credential;
  };
  const credentials = z.object({
    username: z.string().min(1),
    password: z.string().min(1).max(ctx.config.passwords.maxLength),
  });
  const routes: Route[] = [
    post(
      '/api/token/verify/',
      {
        summary: 'Check a token of any type: signature, expiry, blacklist (simplejwt TokenVerifyView).',
        body: tokenBody,
        responses: { 200: { description: 'The token is valid.', body: emptySchema } },
      },
      async ({ body }) => {
        const input = validateBody(tokenBody, body);
        await verifyForEndpoint(ctx, tokens, input.token);
        return { status: 200, body: {} };
      },
    ),
    post(
      '/api/token/blacklist/',
      {
        summary: 'Log out one login: its refresh token and every token of its family end now.',
        body: transport.refreshBody,
        responses: { 200: { description: 'Blacklisted.', body: emptySchema }, ...csrfChecked },
      },
      async ({ req, body }) => {
        await tokens.blacklist(transport.refreshToken(req, body), req);
        return { status: 200, headers: transport.clearHeaders(req), body: {} };
      },
    ),
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      permission: allowAny,
      schemes: [],
      summary: 'The public keys that verify this service’s tokens (asymmetric algorithms only).',
      responses: { 200: { description: 'A JWK set.', body: jwksSchema } },
      async handler() {
        return {
          status: 200,
          // Public and the same for every caller: caches may keep it a little while.
          headers: { 'cache-control': 'public, max-age=300', vary: 'Accept-Encoding' },
          body: { keys: tokens.keyring.publicJwks(ctx.clock.now()) },
        };
      },
    },
  ];
  // A verify-only service (a public key or a JWKS URL, no private key) mints nothing.
  if (!tokens.keyring.signer) return routes;
  routes.unshift(
    post(
      '/api/token/',
      {
        summary:
          'Obtain an access/refresh pair with a username and password (simplejwt TokenObtainPairView).',
        body: eitherStep(credentials),
        responses: {
          200: jwtLogin(services)!.success,
          401: SIGN_IN_REFUSED,
          ...csrfChecked,
          429: THROTTLED,
        },
      },
      async ({ req, body }) => {
        return answerLogin(signIn, jwtLogin(services)!, req, parseSignInBody(credentials, body));
      },
    ),
    post(
      '/api/token/refresh/',
      {
        summary: 'Spend a refresh token for a new access token (and the next refresh token).',
        body: transport.refreshBody,
        responses: {
          200: { description: 'Refreshed.', body: refreshOutOfBody ? cookiePairSchema : refreshedSchema },
          ...csrfChecked,
          429: THROTTLED,
        },
      },
      async ({ req, body }) => {
        const refresh = transport.refreshToken(req, body);
        await throttle.attempt(req, 'refresh');
        return transport.respond(req, await tokens.refresh(refresh, req));
      },
    ),
  );
  if (jwt.authTokenTypes.includes('sliding')) {
    routes.push(
      post(
        '/api/token/sliding/',
        {
          summary: 'Obtain a sliding token (simplejwt TokenObtainSlidingView).',
          body: eitherStep(credentials),
          responses: {
            200: { description: 'A new sliding token.', body: z.object({ token: z.string() }) },
            401: SIGN_IN_REFUSED,
            429: THROTTLED,
          },
        },
        async ({ req, body }) => {
          const token = await obtain(req, '/api/token/sliding/', body, (user) => tokens.issueSliding(user));
          return { status: 200, body: { token } };
        },
      ),
      post(
        '/api/token/sliding/refresh/',
        {
          summary: 'Renew a sliding token while its refresh window is open.',
          body: tokenBody,
          responses: {
            200: { description: 'The renewed token.', body: z.object({ token: z.string() }) },
            429: THROTTLED,
          },
        },
        async ({ req, body }) => {
          const input = validateBody(tokenBody, body);
          await throttle.attempt(req, 'refresh');
          return { status: 200, body: { token: await tokens.refreshSliding(input.token) } };
        },
      ),
    );
  }
  return routes;
};

/**
 * simplejwt's TokenObtainPairView issuing and answer (a new pair, in the body or the cookies),
 * shared with the passkey sign-in; null without a signing key. Nothing to undo when the sign-in
 * is refused after issuing: the tokens are never handed out.
 */
export function jwtLogin(services: Services): LoginIssuer<TokenPair> | null {
  const { ctx, jwt: tokens } = services;
  if (!tokens?.keyring.signer) return null;
  const transport = jwtTransport(services.jwtCookies, services.csrf);
  const refreshOutOfBody = services.jwtCookies !== null && !services.jwtCookies.settings.refreshInBody;
  return {
    route: '/api/token/',
    scheme: 'jwt',
    refused: noActiveAccount,
    updateLastLogin: ctx.config.jwt.updateLastLogin,
    check: (req) => transport.checkObtain(req),
    issue: async (user) => ({ credential: await tokens.issuePair(user), undo: async () => {} }),
    answer: (req, { credential }) => transport.respond(req, credential),
    success: { description: 'A new pair.', body: refreshOutOfBody ? cookiePairSchema : pairSchema },
  };
}

/**
 * simplejwt's TokenVerifyView: any token type, signature and expiry, the blacklist. A refresh
 * token that can no longer refresh (spent by rotation, of a revoked family, of a user logged out
 * everywhere) is blacklisted as simplejwt's rotation blacklists a spent one, so it does not
 * verify either. Unless stateless, also the user: a token of a deactivated user, or from before
 * a logout-everywhere, does not verify (simplejwt does not look; gatehouse's revocation is
 * immediate everywhere).
 */
async function verifyForEndpoint(ctx: Context, tokens: JwtTokens, raw: string): Promise<void> {
  const verified = await tokens.verify(raw, null);
  const live =
    verified.type === 'refresh'
      ? await tokens.refreshable(verified)
      : verified.type === 'access' || !(await ctx.stores.jwtState.isBlacklisted(verified.jti));
  if (!live) throw new TokenNotValid(MESSAGES.blacklisted);
  if (ctx.config.jwt.stateless) return;
  let user: UserRecord;
  try {
    user = await tokens.userFor(verified);
  } catch (err) {
    if (err instanceof AuthenticationFailed) throw new TokenNotValid(MESSAGES.invalid);
    throw err;
  }
  if (tokens.revokedByCutoff(user, verified)) throw new TokenNotValid(MESSAGES.invalid);
}
