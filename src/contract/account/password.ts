import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { canManageAccount } from '../../core/permissions.js';
import type { AuthResult } from '../../core/scheme.js';
import { changePassword } from '../../core/users.js';
import { assertRecentAuth } from '../../services/mfa/recent-auth.js';
import { STEP_UP, THROTTLED } from '../responses.js';
import type { Route, RouteFactory } from '../types.js';
import { validateBody } from '../validate.js';

/** Django's PasswordChangeForm message for a wrong old password. */
const OLD_PASSWORD_WRONG = 'Your old password was entered incorrectly. Please enter it again.';

const changedSchema = z.object({ detail: z.string() });

/**
 * The caller's own session, by the digest the store knows it by, when the request came with a
 * session cookie: the one credential a password change keeps (Django's update_session_auth_hash).
 */
function currentSessionDigest(auth: AuthResult): string | undefined {
  return auth.scheme === 'session' ? auth.auth.digest : undefined;
}

/**
 * `POST /api/auth/password/` {old_password, new_password}: the caller changes their own
 * password. The old one must be right (a stolen session or token alone cannot take over the
 * account), the new one passes the password validators, and every other session, API token and
 * refresh family of the user ends now (`passwords.endCredentialsOnChange`), so whoever knew the
 * old password is out; the caller's own session stays signed in. Callers that used an API token
 * or a JWT obtain new ones with the new password. Throttled per (ip, user), with back-off on
 * wrong old passwords.
 *
 * @example
 * await fetch('/api/auth/password/', { method: 'POST', headers, body: JSON.stringify({ old_password, new_password }) });
 */
export const passwordRoutes: RouteFactory = ({ ctx, throttle }): Route[] => {
  const secret = z.string().min(1).max(ctx.config.passwords.maxLength);
  const body = z.object({ old_password: secret, new_password: secret });
  return [
    {
      method: 'POST',
      path: '/api/auth/password/',
      permission: canManageAccount,
      summary: 'Change your password; your other sessions, API tokens and refresh tokens end.',
      body,
      responses: { 200: { description: 'Changed.', body: changedSchema }, 403: STEP_UP, 429: THROTTLED },
      async handler({ req, body: raw, auth }) {
        const input = validateBody(body, raw);
        const user = auth!.user;
        await assertRecentAuth(ctx, auth!);
        const gate = await throttle.attempt(req, 'passwordChange', String(user.id));
        const check = await ctx.passwords.verify(input.old_password, user.passwordHash);
        if (!check.ok) {
          await gate.fail();
          throw new ValidationError({ old_password: [OLD_PASSWORD_WRONG] });
        }
        await gate.pass();
        await changePassword(ctx, user, input.new_password, {
          req,
          scheme: auth!.scheme,
          keepSessionDigest: currentSessionDigest(auth!),
          endCredentials: ctx.config.passwords.endCredentialsOnChange,
        });
        return { status: 200, body: { detail: 'New password has been saved.' } };
      },
    },
  ];
};
