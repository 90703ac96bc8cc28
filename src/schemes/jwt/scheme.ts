import type { Context } from '../../core/context.js';
import type { Csrf } from '../../core/csrf/csrf.js';
import { endedSince } from '../../core/ended-since.js';
import { AuthenticationFailed, TokenNotValid } from '../../core/errors.js';
import type { AuthRequest } from '../../core/request.js';
import type { Authenticator, AuthResultOf } from '../../core/scheme.js';
import type { UserRecord } from '../../stores/types.js';
import { MESSAGES, userIdOf, type VerifiedToken } from './claims.js';
import type { JwtCookies } from './cookies.js';
import type { JwtPayload } from './keyring.js';
import type { JwtTokens } from './tokens.js';

declare module '../../core/scheme.js' {
  interface CredentialTypes {
    /** A JWT-authenticated request's credential: the access (or sliding) token's claims. */
    jwt: JwtPayload;
  }
}

/** Who is calling, when a JWT said so. */
export type JwtAuthResult = AuthResultOf<'jwt'>;

/** simplejwt's class names, as its "messages" list reports them. */
const TOKEN_CLASSES: Record<string, string> = { access: 'AccessToken', sliding: 'SlidingToken' };

/**
 * JWT bearer authentication with simplejwt's wire behaviour (JWTAuthentication): a header of
 * another type is not ours (null, the next scheme may try); the right type without exactly one
 * token is a 401 `bad_authorization_header`; a token that fails is a 401 `token_not_valid` that
 * lists why for each accepted token type. By default the user is loaded on every request and
 * must be active, and a token issued before a logout-everywhere is refused; `stateless: true`
 * skips the lookup (revocation then waits for the token's expiry).
 *
 * @example
 * const jwt = jwtScheme(ctx, { tokens: createJwtTokens(ctx), cookies: null, csrf: createCsrf(ctx.config.csrf) });
 * await jwt.authenticate(createAuthRequest({ method: 'GET', url: '/api/me/', headers: { authorization: `Bearer ${access}` } }));
 */
export function jwtScheme(
  ctx: Context,
  { tokens, cookies, csrf }: { tokens: JwtTokens; cookies: JwtCookies | null; csrf: Csrf },
): Authenticator<JwtAuthResult> {
  const { jwt } = ctx.config;
  const headerTypes = new Set(jwt.authHeaderTypes);
  const accepted = jwt.authTokenTypes;
  const challenge = `${jwt.authHeaderTypes[0]} realm="api"`;

  const notValid = (message: string) =>
    new TokenNotValid(
      'Given token not valid for any token type',
      accepted.map((type) => ({ token_class: TOKEN_CLASSES[type] ?? type, token_type: type, message })),
    );

  const validated = async (raw: string): Promise<VerifiedToken> => {
    let token: VerifiedToken;
    try {
      token = await tokens.verify(raw, accepted);
    } catch (err) {
      if (err instanceof TokenNotValid) throw notValid(err.message);
      throw err;
    }
    // simplejwt checks the blacklist for sliding tokens (its BlacklistMixin); access tokens have none.
    if (token.type === 'sliding' && !jwt.stateless && (await ctx.stores.jwtState.isBlacklisted(token.jti))) {
      throw notValid(MESSAGES.blacklisted);
    }
    return token;
  };

  return {
    name: 'jwt',
    challenge: () => challenge,
    async authenticate(req: AuthRequest): Promise<JwtAuthResult | null> {
      const header = bearerToken(req, headerTypes);
      // The header wins; without one, the access cookie (jwt.cookie), an ambient credential.
      const raw = header ?? cookies?.access(req) ?? null;
      if (raw === null) return null;
      const token = await validated(raw);
      // As for sessions (DRF's enforce_csrf): a cookie-carried token must pass the CSRF checks.
      if (header === null) csrf.enforce(req);
      if (jwt.stateless)
        return {
          user: tokenUser(userIdOf(jwt, token.payload), token.payload),
          auth: token.payload,
          scheme: 'jwt',
        };
      const user = await tokens.userFor(token);
      // Logout-everywhere, a password change or deactivation ends access tokens at once.
      if (tokens.revokedByCutoff(user, token)) throw notValid(MESSAGES.invalid);
      return { user, auth: token.payload, scheme: 'jwt' };
    },
    // An access token has no row of its own: only its user's cutoff ends it before its expiry.
    isLive: async ({ user }) => !(await endedSince(ctx, user)),
  };
}

/**
 * The raw token from `Authorization: <type> <token>`, or null when the header is absent or of
 * another type (simplejwt compares the type case-sensitively). The one place a token is taken
 * from a request, so another transport (a cookie) can be added beside it.
 */
export function bearerToken(req: AuthRequest, headerTypes: ReadonlySet<string>): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const parts = header.split(/\s+/).filter(Boolean);
  if (parts.length === 0 || !headerTypes.has(parts[0]!)) return null;
  if (parts.length !== 2) {
    throw new AuthenticationFailed(
      'Authorization header must contain two space-delimited values',
      'bad_authorization_header',
    );
  }
  return parts[1]!;
}

/**
 * simplejwt's TokenUser for `stateless: true`: the user as the token describes it, without a
 * lookup. Active (the token was issued to an active user), never an admin.
 */
function tokenUser(id: number, payload: JwtPayload): UserRecord {
  return {
    id,
    username: typeof payload.username === 'string' ? payload.username : '',
    email: '',
    passwordHash: '',
    isActive: true,
    isAdmin: false,
    dateJoined: 0,
    lastLogin: null,
    tokensValidAfter: null,
  };
}
