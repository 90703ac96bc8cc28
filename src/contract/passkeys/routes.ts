import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { NotFound, ValidationError } from '../../core/errors.js';
import { allowAny, canManageAccount } from '../../core/permissions.js';
import { assertRecentAuth } from '../../services/mfa/recent-auth.js';
import { jwtLogin } from '../jwt/routes.js';
import { CSRF_FAILED, STEP_UP, THROTTLED } from '../responses.js';
import { sessionLogin } from '../sessions/routes.js';
import type { AnyLoginIssuer } from '../sign-in-body.js';
import { tokenLogin } from '../tokens/routes.js';
import type { Route, RouteFactory, RouteResponseDoc } from '../types.js';
import { validateBody } from '../validate.js';
import { assertionSchema, b64url, credentialFields } from './schemas.js';

const registerBody = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('A label for the passkey; defaults to "Passkey".'),
});

const optionsSchema = z
  .record(z.string(), z.unknown())
  .describe('PublicKeyCredential options (JSON) for the browser; the challenge works once, briefly.');
const passkeySchema = z.object({
  id: z.string().describe('The credential id (base64url).'),
  name: z.string(),
  created: z.string(),
  last_used: z.string().nullable(),
});

/** The state refusal of registration: the same authenticator twice. */
const EXISTS: RouteResponseDoc = { description: 'This passkey is already registered (`passkey_exists`).' };

/**
 * Passkeys (docs/mfa.md): register one for the signed-in user (options, then the browser's
 * answer), remove one, and sign in with one, without a username or password, answered like the
 * chosen login route (`issue`: `session`, `jwt` or `token`) through the one sign-in service.
 * Mounted when `mfa.passkeys` is configured.
 *
 * @example
 * const gh = createGatehouse({ config: { ...config, mfa: { passkeys: { rpId, origins } } }, stores });
 */
export const passkeyRoutes: RouteFactory = (services): Route[] => {
  const { ctx, passkeys, signIn, throttle } = services;
  if (!passkeys) return [];
  const issuers = Object.fromEntries(
    (
      [
        ['session', sessionLogin(services)],
        ['jwt', jwtLogin(services)],
        ['token', tokenLogin(services)],
      ] as const
    ).filter((e): e is readonly ['session' | 'jwt' | 'token', AnyLoginIssuer] => e[1] !== null),
  ) as Record<string, AnyLoginIssuer>;
  const names = Object.keys(issuers) as [string, ...string[]];
  const loginBody = assertionSchema.extend({
    issue: z
      .enum(names)
      .describe('What to issue, answered like that login route: `session`, `jwt` or `token`.'),
  });
  const successes = Object.values(issuers).map((i) => i.success.body!);
  const signedIn: RouteResponseDoc = {
    description:
      'Signed in: the body of the matching login route (`/api/auth/login/`, `/api/token/`, `/api-token-auth/`).',
    body: successes.length === 1 ? successes[0]! : z.union(successes),
  };

  // The route names no challenge (it serves three schemes), so simplejwt's 401 for an inactive
  // account is DRF's 403 here; a session or token sign-in refuses it with a 400, as their routes do.
  const refusals: Record<number, RouteResponseDoc> = {
    200: signedIn,
    429: THROTTLED,
    403: {
      description: `${issuers.session ? `${CSRF_FAILED.description} ` : ''}For \`issue: jwt\`, an inactive account (\`no_active_account\`).`,
    },
  };

  return [
    {
      method: 'POST',
      path: '/api/auth/passkeys/register/options/',
      permission: canManageAccount,
      summary:
        'Start registering a passkey: options for navigator.credentials.create(). Needs a recent sign-in.',
      responses: { 200: { description: 'The creation options.', body: optionsSchema }, 403: STEP_UP },
      async handler({ auth }) {
        await assertRecentAuth(ctx, auth!);
        return { status: 200, body: await passkeys.registrationOptions(auth!.user) };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/passkeys/register/verify/',
      permission: canManageAccount,
      summary: 'Finish registering: the browser’s answer (PublicKeyCredential JSON) and an optional name.',
      body: registerBody,
      responses: { 201: { description: 'Registered.', body: passkeySchema }, 409: EXISTS },
      async handler({ req, body, auth }) {
        const { name, ...response } = validateBody(registerBody, body);
        const added = await passkeys.register(
          auth!.user,
          response as RegistrationResponseJSON,
          name ?? 'Passkey',
          req,
          auth!.scheme,
        );
        return { status: 201, body: added };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/passkeys/login/options/',
      permission: allowAny,
      schemes: [],
      summary: 'Start a passkey sign-in: options for navigator.credentials.get() (no username needed).',
      responses: { 200: { description: 'The request options.', body: optionsSchema }, 429: THROTTLED },
      async handler({ req }) {
        // Unauthenticated and each answer stores a challenge: a flood would fill the store.
        await throttle.attempt(req, 'challenge');
        return { status: 200, body: await passkeys.authenticationOptions() };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/passkeys/login/verify/',
      permission: allowAny,
      schemes: [],
      summary: 'Sign in with a passkey (both factors at once): the browser’s assertion and what to issue.',
      body: loginBody,
      responses: refusals,
      async handler({ req, body }) {
        const { issue, ...response } = validateBody(loginBody, body);
        const login = issuers[issue];
        if (!login) throw new ValidationError({ issue: [`Expected one of: ${names.join(', ')}.`] });
        login.check(req);
        // Counted per ip with the second-factor codes: each try costs a signature check and an audit row.
        await throttle.attempt(req, 'mfa');
        const userId = await passkeys.authenticate(response as AuthenticationResponseJSON, req);
        const done = await signIn.withPasskey({
          req,
          route: login.route,
          scheme: login.scheme,
          refused: login.refused,
          updateLastLogin: login.updateLastLogin,
          userId,
          issue: (user) => login.issue(user, req),
        });
        return login.answer(req, done);
      },
    },
    {
      method: 'DELETE',
      path: '/api/auth/passkeys/:id/',
      permission: canManageAccount,
      summary: 'Remove one of the caller’s passkeys. Needs a recent sign-in.',
      responses: {
        204: { description: 'Removed.' },
        403: STEP_UP,
        404: { description: 'Not one of the caller’s passkeys.' },
      },
      async handler({ req, params, auth }) {
        await assertRecentAuth(ctx, auth!);
        if (!(await passkeys.remove(auth!.user, params.id!, req, auth!.scheme))) throw new NotFound();
        return { status: 204 };
      },
    },
  ];
};
