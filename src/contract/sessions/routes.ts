import { z } from 'zod';
import type { Csrf } from '../../core/csrf/csrf.js';
import { NotFound } from '../../core/errors.js';
import { allowAny, canManageAccount } from '../../core/permissions.js';
import { sessionView, sessionViewSchema } from '../../core/views/session.js';
import { userView, userViewSchema } from '../../core/views/user.js';
import { type Issued, loginFailed } from '../../services/sign-in.js';
import type { Services } from '../../services/types.js';
import { CSRF_FAILED, THROTTLED } from '../responses.js';
import {
  answerLogin,
  eitherStep,
  type LoginIssuer,
  parseSignInBody,
  SIGN_IN_REFUSED,
} from '../sign-in-body.js';
import type { Route, RouteFactory } from '../types.js';
import { logoutRoute } from './logout.js';

const csrfSchema = z.object({
  csrfToken: z
    .string()
    .describe('A masked token for the X-CSRFToken header (the csrftoken cookie works too).'),
});

/**
 * The browser session routes: the CSRF token, login (CSRF-protected, a new session id every
 * time), logout, and the caller's sessions (list, revoke). Mounted when `session` is one of
 * the configured schemes; without it, JWTs in cookies (`jwt.cookie`) still get the CSRF route,
 * and token and JWT clients the logout.
 *
 * @example
 * const gh = createGatehouse({ config, stores, routes: [sessionRoutes] });
 */
export const sessionRoutes: RouteFactory = (services): Route[] => {
  const { ctx, schemes, sessions, csrf, signIn } = services;
  if (!schemes.session) {
    // Token and JWT clients sign out here too (knox's and dj-rest-auth's logout).
    const logout = schemes.token || schemes.jwt ? [logoutRoute(services)] : [];
    return services.jwtCookies ? [csrfRoute(csrf), ...logout] : logout;
  }
  const login = sessionLogin(services)!;
  const loginBody = z.object({
    username: z.string().trim().min(1).max(150),
    password: z.string().min(1).max(ctx.config.passwords.maxLength),
  });

  return [
    csrfRoute(csrf),
    {
      method: 'POST',
      path: '/api/auth/login/',
      permission: allowAny,
      // The credentials are the body; CSRF is checked here, since no scheme runs (login CSRF).
      schemes: [],
      summary:
        'Sign in with a username and password (then `{mfa_token, code}` when a second factor is on): a new session cookie (and a new CSRF secret).',
      body: eitherStep(loginBody),
      responses: {
        200: login.success,
        401: SIGN_IN_REFUSED,
        403: CSRF_FAILED,
        429: THROTTLED,
      },
      async handler({ req, body }) {
        return answerLogin(signIn, login, req, parseSignInBody(loginBody, body));
      },
    },
    logoutRoute(services),
    {
      method: 'GET',
      path: '/api/auth/sessions/',
      permission: canManageAccount,
      summary: "The caller's live sessions, newest first.",
      responses: { 200: { description: 'Newest first.', body: z.array(sessionViewSchema) } },
      async handler({ auth }) {
        const now = ctx.clock.now();
        const rows = await ctx.stores.sessions.listForUser(auth!.user.id);
        return {
          status: 200,
          body: rows.filter((r) => sessions.isLive(r, now)).map((r) => sessionView(r, auth)),
        };
      },
    },
    {
      method: 'DELETE',
      path: '/api/auth/sessions/:id/',
      permission: canManageAccount,
      summary: "End one of the caller's sessions (another device, or this one).",
      responses: {
        204: { description: 'Ended.' },
        404: { description: 'Not one of the caller’s sessions.' },
      },
      async handler({ req, params, auth }) {
        const id = params.id!;
        if (!(await sessions.revoke(auth!.user, id, { req, scheme: auth!.scheme }))) throw new NotFound();
        const own = auth!.scheme === 'session' && auth!.auth.id === id;
        return own ? { status: 204, headers: { 'set-cookie': sessions.clearCookie(req) } } : { status: 204 };
      },
    },
  ];
};

/**
 * The session login's issuing and answer (a new session cookie, a rotated CSRF secret, the
 * user), shared with the passkey sign-in; null when the session scheme is off.
 */
export function sessionLogin({ ctx, schemes, sessions, csrf }: Services): LoginIssuer<string> | null {
  if (!schemes.session) return null;
  return {
    route: '/api/auth/login/',
    scheme: 'session',
    refused: loginFailed,
    updateLastLogin: true,
    // The credentials are the body; CSRF is checked here, since no scheme runs (login CSRF).
    check: (req) => csrf.enforce(req),
    // The credential is the new session's cookie; refused after all, its row is deleted.
    async issue(user, req): Promise<Issued<string>> {
      const { row, setCookie } = await sessions.start(user, req);
      return {
        credential: setCookie,
        undo: async () => {
          await ctx.stores.sessions.deleteByDigest(row.digest);
        },
        detail: { sessionId: row.id },
      };
    },
    answer(req, { user, credential }) {
      // Django rotates the CSRF secret at login, so a token seen before it is worthless after.
      const rotated = csrf.issue(req, { rotate: true });
      return {
        status: 200,
        headers: { 'set-cookie': [credential, rotated.setCookie] },
        body: userView(user),
      };
    },
    success: { description: 'Signed in.', body: userViewSchema },
  };
}

/**
 * GET /api/auth/csrf/ (Django's ensure_csrf_cookie): sets the csrftoken cookie, keeping a
 * well-formed secret the browser already has, and answers a fresh masked token for it.
 */
export function csrfRoute(csrf: Csrf): Route {
  return {
    method: 'GET',
    path: '/api/auth/csrf/',
    permission: allowAny,
    schemes: [],
    summary: 'A CSRF token for unsafe requests sent with cookies; sets the csrftoken cookie.',
    responses: { 200: { description: 'The token.', body: csrfSchema } },
    async handler({ req }) {
      const { token, setCookie } = csrf.issue(req);
      return { status: 200, headers: { 'set-cookie': setCookie }, body: { csrfToken: token } };
    },
  };
}
