import type { Context } from '../../core/context.js';
import { ReauthenticationRequired } from '../../core/errors.js';
import { hasSecondFactor } from '../../core/mfa.js';
import type { AuthResult } from '../../core/scheme.js';
import { authTimeMs } from '../../schemes/jwt/claims.js';

/**
 * When the credential behind a request was obtained with the password (and the second factor),
 * in ms; null when that is unknown or never counts. A session starts only at a sign-in, so its
 * creation is that instant; a JWT carries `auth_time` through its refreshes; Basic checks the
 * password on this very request (and refuses users with a second factor); an API token is a
 * long-lived key and never counts.
 */
export function authenticatedAt(auth: AuthResult, now: number): number | null {
  switch (auth.scheme) {
    case 'session':
      return auth.auth.createdAt;
    case 'jwt':
      return authTimeMs(auth.auth);
    case 'basic':
      return now;
    default:
      return null;
  }
}

/**
 * Step-up (docs/mfa.md): throws 403 `reauthentication_required` unless the caller signed in
 * within `mfa.recentAuthSeconds`. Applies to users with a second factor, or to everyone with
 * `mfa.stepUp: 'everyone'`.
 *
 * @example
 * await assertRecentAuth(ctx, auth); // before a password change
 */
export async function assertRecentAuth(ctx: Context, auth: AuthResult): Promise<void> {
  const { recentAuthSeconds, stepUp } = ctx.config.mfa;
  if (stepUp === 'mfa' && !(await hasSecondFactor(ctx, auth.user.id))) return;
  const now = ctx.clock.now();
  const at = authenticatedAt(auth, now);
  if (at === null || now - at > recentAuthSeconds * 1000)
    throw new ReauthenticationRequired(recentAuthSeconds);
}
