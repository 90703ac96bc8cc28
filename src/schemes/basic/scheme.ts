import type { Context } from '../../core/context.js';
import { endedSince } from '../../core/ended-since.js';
import { AuthenticationFailed } from '../../core/errors.js';
import { hasSecondFactor } from '../../core/mfa.js';
import type { AuthRequest } from '../../core/request.js';
import type { Authenticator, AuthResultOf } from '../../core/scheme.js';
import { checkPassword } from '../../core/throttle/password-check.js';
import type { Throttle } from '../../core/throttle/throttle.js';
import { normalizeUsername, usernameInputProblem } from '../../core/username.js';

const CHALLENGE = 'Basic realm="api"';

declare module '../../core/scheme.js' {
  interface CredentialTypes {
    /** Basic has no credential beyond the password it checked: `auth` is null. */
    basic: null;
  }
}

/** Who is calling, when a username and password in the Authorization header said so. */
export type BasicAuthResult = AuthResultOf<'basic'>;

/**
 * HTTP Basic auth with DRF's wire behaviour (BasicAuthentication): its messages for a malformed
 * header, `Basic realm="api"`. It verifies a password on every request, so it is for tests and
 * local tools, and is off in production unless enabled; every request counts against the login
 * throttle (docs/SECURITY.md).
 *
 * @example
 * const basic = basicScheme(ctx, { throttle: createThrottle(ctx) });
 * await basic.authenticate(createAuthRequest({ method: 'GET', url: '/', headers: { authorization: 'Basic YWRtaW46cHc=' } }));
 */
export function basicScheme(
  ctx: Context,
  { throttle }: { throttle: Throttle },
): Authenticator<BasicAuthResult> {
  return {
    name: 'basic',
    challenge: () => CHALLENGE,
    async authenticate(req: AuthRequest): Promise<BasicAuthResult | null> {
      const header = req.headers.authorization;
      if (!header) return null;
      const parts = header.split(/\s+/).filter(Boolean);
      if (parts.length === 0 || parts[0]!.toLowerCase() !== 'basic') return null;
      if (parts.length === 1)
        throw new AuthenticationFailed('Invalid basic header. No credentials provided.');
      if (parts.length > 2) {
        throw new AuthenticationFailed('Invalid basic header. Credentials string should not contain spaces.');
      }
      const decoded = decodeCredentials(parts[1]!);
      const { password } = decoded;
      const username = normalizeUsername(decoded.username);
      // A name no user can have never reaches a throttle key, the audit trail or the logs.
      if (usernameInputProblem(username) !== null)
        throw new AuthenticationFailed('Invalid username/password.');
      // Basic takes a password on every request, so each one is a login: the same limits,
      // back-off and failure audit as the login routes, or it would be a way around them.
      const { user, refusal } = await checkPassword(ctx, throttle, {
        req,
        username,
        password,
        scheme: 'basic',
      });
      if (refusal === 'inactive') throw new AuthenticationFailed('User inactive or deleted.');
      if (refusal !== null) throw new AuthenticationFailed('Invalid username/password.');
      // Basic carries a password and nothing else: it cannot be a way around a second factor.
      if (await hasSecondFactor(ctx, user.id)) {
        throw new AuthenticationFailed(
          'This account has a second factor, which Basic cannot carry: sign in on a login route (docs/mfa.md).',
          'mfa_not_supported',
        );
      }
      return { user, auth: null, scheme: 'basic' };
    },
    // The password is checked on every request: only the user's own state can end this one.
    isLive: async ({ user }) => !(await endedSince(ctx, user)),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** RFC 7617 user-pass; UTF-8, falling back to Latin-1 as DRF does. */
export function decodeCredentials(encoded: string): { username: string; password: string } {
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new AuthenticationFailed('Invalid basic header. Credentials not correctly base64 encoded.');
  }
  const bytes = Buffer.from(encoded, 'base64');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  const colon = text.indexOf(':');
  return colon < 0
    ? { username: text, password: '' }
    : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
