import type { UserRecord } from '../../stores/types.js';
import { audit } from '../audit.js';
import type { Context } from '../context.js';
import { checkCredentials } from '../credentials.js';
import { EmailNotVerified } from '../errors.js';
import type { AuthRequest } from '../request.js';
import type { Throttle } from './throttle.js';

/** A username and password presented by a client, under one scheme's name. */
export interface PasswordCheck {
  readonly req: AuthRequest;
  /** Already normalised (see normalizeUsername). */
  readonly username: string;
  readonly password: string;
  /** The scheme named in the audit trail: `session`, `token`, `jwt`, `basic`. */
  readonly scheme: string;
}

/** How a checked password went: the user, or why there is none (already audited). */
export type PasswordOutcome =
  | { readonly user: UserRecord; readonly refusal: null }
  | { readonly user: UserRecord | null; readonly refusal: 'invalid_credentials' | 'inactive' };

/**
 * The password step of every sign-in: the login throttle (per ip, per (ip, username), back-off,
 * counted before any hashing), the check, the back-off's outcome and the `login_failed` audit.
 * The sign-in service (services/sign-in.ts) and the Basic scheme both go through it, so a
 * guessing run gets the same limits whichever way it sends its guesses.
 *
 * @example
 * const { user, refusal } = await checkPassword(ctx, throttle, { req, username, password, scheme: 'basic' });
 * if (refusal) throw new AuthenticationFailed('Invalid username/password.');
 */
export async function checkPassword(
  ctx: Context,
  throttle: Throttle,
  a: PasswordCheck,
): Promise<PasswordOutcome> {
  // An address is one subject whatever its case (the lookup ignores it), or case would dodge the limit.
  const byEmail = ctx.config.login.fields.includes('email') && a.username.includes('@');
  const gate = await throttle.attempt(a.req, 'login', byEmail ? a.username.toLowerCase() : a.username);
  const user = await checkCredentials(ctx, a.username, a.password);
  // An inactive user's right password is no failed guess: only a wrong one backs off.
  await (user ? gate.pass() : gate.fail());
  if (user?.isActive) {
    if (ctx.config.email.requireVerified && user.emailVerified !== true) {
      await audit(ctx, a.req, 'login_failed', {
        user,
        scheme: a.scheme,
        detail: { reason: 'email_not_verified' },
      });
      throw new EmailNotVerified();
    }
    return { user, refusal: null };
  }
  const refusal = user ? 'inactive' : 'invalid_credentials';
  await audit(ctx, a.req, 'login_failed', {
    username: a.username,
    scheme: a.scheme,
    detail: { reason: refusal },
  });
  return { user, refusal };
}
