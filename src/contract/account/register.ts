import { z } from 'zod';
import { audit } from '../../core/audit.js';
import { PermissionDenied } from '../../core/errors.js';
import { allowAny, canManageAccount } from '../../core/permissions.js';
import { createUser, endAllCredentials } from '../../core/users.js';
import { userView, userViewSchema } from '../../core/views/user.js';
import { THROTTLED } from '../responses.js';
import { clearCredentialHeaders } from '../sessions/clear-credentials.js';
import type { Route, RouteFactory } from '../types.js';
import { validateBody } from '../validate.js';

export const registerBody = z.object({
  username: z.string().min(1).max(150),
  password: z.string().min(1).max(1024),
  email: z.union([z.email(), z.literal('')]).optional(),
});

/**
 * Account routes every scheme shares: sign-up (when enabled) and logout-everywhere, which ends
 * every session, API token and refresh family of the user, and every access token issued so far.
 */
export const accountRoutes: RouteFactory = ({
  ctx,
  throttle,
  schemes,
  sessions,
  jwtCookies,
  emailFlows,
}): Route[] => [
  {
    method: 'POST',
    path: '/api/auth/register/',
    permission: allowAny,
    schemes: [],
    summary: 'Sign up (when `signup` is on); the password validators apply.',
    body: registerBody,
    responses: {
      201: { description: 'The new user.', body: userViewSchema },
      // Off, every sign-up is refused before anything is counted.
      ...(ctx.config.signup
        ? { 429: THROTTLED }
        : { 403: { description: 'Sign-up is disabled (`signup_disabled`).' } }),
    },
    async handler({ req, body }) {
      if (!ctx.config.signup) throw new PermissionDenied('Sign-up is disabled.', 'signup_disabled');
      const input = validateBody(registerBody, body);
      // Per client ip: sign-up hashes a password and writes a row, both worth a bot's while.
      await throttle.attempt(req, 'register');
      const user = await createUser(
        ctx,
        { username: input.username, password: input.password, email: input.email ?? '' },
        req,
      );
      // The mail goes off the request path; the answer is the same whether it is sent.
      await emailFlows.sendVerification(req, user);
      return { status: 201, body: userView(user) };
    },
  },
  {
    method: 'POST',
    path: '/api/auth/logout-all/',
    permission: canManageAccount,
    summary:
      "End every session, API token and refresh family of the caller's user, and every access token issued so far.",
    responses: { 204: { description: 'Everything ended; the cookies are cleared.' } },
    async handler({ req, auth }) {
      await endAllCredentials(ctx, auth!.user);
      await audit(ctx, req, 'logout_all', { user: auth!.user, scheme: auth!.scheme });
      // A browser that called it also drops its cookies now.
      return { status: 204, headers: clearCredentialHeaders({ schemes, sessions, jwtCookies }, req) };
    },
  },
];
