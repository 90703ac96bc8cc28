import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { allowAny, canManageAccount } from '../../core/permissions.js';
import { userView, userViewSchema } from '../../core/views/user.js';
import { assertRecentAuth } from '../../services/mfa/recent-auth.js';
import { STEP_UP } from '../responses.js';
import type { Route, RouteFactory } from '../types.js';
import { validateBody } from '../validate.js';

/** Django's EmailField length. */
const address = z.string().min(1).max(254);
const uid = z.string().min(1).max(64);
const token = z.string().min(1).max(600);
const detailSchema = z.object({ detail: z.string() });
const errorSchema = z.object({ detail: z.string(), code: z.string() });
/** What every mail route may also answer, besides the shared 400/413/415/503. */
const refusals = {
  403: { description: 'The mail flows are off (`email_disabled`).', body: errorSchema },
  429: {
    description: 'Too many requests from this client (`throttled`, with Retry-After).',
    body: errorSchema,
  },
} as const;

/** One answer whether or not the address has an account: the point of these routes. */
const RESET_SENT = 'If an account has this address, a mail with a link to reset its password is on its way.';
const VERIFY_SENT =
  'If an account with this address awaits verification, a mail with a new link is on its way.';
const CHANGE_SENT = 'A mail with a link that confirms it is on its way to the new address.';
/** Django's PasswordChangeForm message, as the password change route uses it. */
const PASSWORD_WRONG = 'Your password was entered incorrectly. Please enter it again.';

/**
 * The mail flows of docs/email.md: password reset, email verification (and resend) and email
 * change. The "mail me a link" routes answer 202 with one body whatever the address, and hand
 * the mail to the mailer without waiting for it, so neither the answer nor its time says whether
 * an account exists. Links carry Django-style stateless tokens: nothing to steal from a database.
 *
 * @example
 * await fetch('/api/auth/password/reset/', { method: 'POST', body: JSON.stringify({ email }) }); // 202
 */
export const emailRoutes: RouteFactory = ({ ctx, throttle, emailFlows }): Route[] => {
  const resetBody = z.object({ email: address });
  const confirmBody = z.object({
    uid,
    token,
    new_password: z.string().min(1).max(ctx.config.passwords.maxLength),
  });
  const verifyBody = z.object({ uid, token });
  const changeBody = z.object({
    email: address,
    password: z.string().min(1).max(ctx.config.passwords.maxLength),
  });
  const sent = (detail: string) => ({ status: 202, body: { detail } });
  return [
    {
      method: 'POST',
      path: '/api/auth/password/reset/',
      permission: allowAny,
      schemes: [],
      summary: 'Mail a password reset link to the account with this address, if there is one (always 202).',
      body: resetBody,
      responses: {
        202: { description: 'The same answer for any address.', body: detailSchema },
        ...refusals,
      },
      async handler({ req, body }) {
        await emailFlows.requestReset(req, validateBody(resetBody, body).email);
        return sent(RESET_SENT);
      },
    },
    {
      method: 'POST',
      path: '/api/auth/password/reset/confirm/',
      permission: allowAny,
      schemes: [],
      summary:
        "Set a new password with a reset link's uid and token; every session, API token and refresh token of the user ends.",
      body: confirmBody,
      responses: {
        200: { description: 'Changed; sign in with the new password.', body: detailSchema },
        403: refusals[403],
      },
      async handler({ req, body }) {
        const input = validateBody(confirmBody, body);
        await emailFlows.confirmReset(req, input.uid, input.token, input.new_password);
        return { status: 200, body: { detail: 'Password has been reset with the new password.' } };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/email/verify/',
      permission: allowAny,
      schemes: [],
      summary: "Follow a verification or email-change link's uid and token: the address is verified.",
      body: verifyBody,
      responses: {
        200: { description: 'The user, with the verified address.', body: userViewSchema },
        403: refusals[403],
      },
      async handler({ req, body }) {
        const input = validateBody(verifyBody, body);
        return { status: 200, body: userView(await emailFlows.verify(req, input.uid, input.token)) };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/email/verify/resend/',
      permission: allowAny,
      schemes: [],
      summary:
        'Mail a new verification link to the unverified account with this address, if any (always 202).',
      body: resetBody,
      responses: {
        202: { description: 'The same answer for any address.', body: detailSchema },
        ...refusals,
      },
      async handler({ req, body }) {
        await emailFlows.resendVerification(req, validateBody(resetBody, body).email);
        return sent(VERIFY_SENT);
      },
    },
    {
      method: 'POST',
      path: '/api/auth/email/change/',
      permission: canManageAccount,
      summary:
        'Change your address (with your password): it changes when the link mailed to the new address is followed; the old one gets a notice.',
      body: changeBody,
      responses: {
        202: { description: 'The confirmation mail is on its way.', body: detailSchema },
        403: STEP_UP,
        429: refusals[429],
      },
      async handler({ req, body, auth }) {
        const input = validateBody(changeBody, body);
        const user = auth!.user;
        await assertRecentAuth(ctx, auth!);
        // Like a password change: a stolen session alone cannot move the account's address.
        const gate = await throttle.attempt(req, 'passwordChange', String(user.id));
        if (!(await ctx.passwords.verify(input.password, user.passwordHash)).ok) {
          await gate.fail();
          throw new ValidationError({ password: [PASSWORD_WRONG] });
        }
        await gate.pass();
        await emailFlows.requestChange(req, user, input.email);
        return sent(CHANGE_SENT);
      },
    },
  ];
};
