import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { AuthRequest } from '../core/request.js';
import { MAX_CODE_LENGTH, MFA_METHODS } from '../services/mfa/service.js';
import type { Issued, PasswordAttempt, SignedIn, SignIn } from '../services/sign-in.js';
import type { UserRecord } from '../stores/types.js';
import { assertionSchema } from './passkeys/schemas.js';
import type { HttpResponse, RouteResponseDoc } from './types.js';
import { validateBody } from './validate.js';

/** The second step of a sign-in (docs/mfa.md): the token `mfa_required` gave, and a code or a passkey. */
export const secondStepBody = z
  .object({
    mfa_token: z.string().min(1).max(128).describe('From the `mfa_required` answer; single-use.'),
    code: z
      .string()
      .trim()
      .min(1)
      .max(MAX_CODE_LENGTH)
      .optional()
      .describe('A current six-digit TOTP code, or an unused recovery code.'),
    passkey: assertionSchema
      .optional()
      .describe('Or a passkey assertion, made with options from `/api/auth/passkeys/login/options/`.'),
  })
  .refine((b) => (b.code === undefined) !== (b.passkey === undefined), {
    message: 'Send a code or a passkey assertion with the mfa_token.',
    path: ['code'],
  });

/**
 * The documented body of a login route: its own first step's fields or the second step's, as one
 * object (a client generator reads it as one form). Only the document uses it: the handler
 * validates each step with its own schema (parseSignInBody).
 */
export const eitherStep = <S extends z.ZodObject>(firstStep: S) =>
  firstStep
    .partial()
    .extend(secondStepBody.shape)
    .partial()
    .refine((b) => ('mfa_token' in b ? 'code' in b || 'passkey' in b : 'username' in b && 'password' in b), {
      message:
        'Send the first step {username, password} or the second {mfa_token, code} (or {mfa_token, passkey}).',
    })
    .describe(
      'First step: `{username, password}`. Second step, after `mfa_required`: `{mfa_token, code}` or `{mfa_token, passkey}`.',
    );

/** Which step a body is, parsed and validated against that step's schema. */
export type SignInStep<T> =
  | { readonly kind: 'password'; readonly input: T }
  | { readonly kind: 'second'; readonly input: z.output<typeof secondStepBody> };

/**
 * Reads a login body: one with `mfa_token` is the second step, any other the route's first
 * (username and password), each validated with DRF's field errors.
 */
export function parseSignInBody<S extends z.ZodType>(firstStep: S, body: unknown): SignInStep<z.output<S>> {
  const second = typeof body === 'object' && body !== null && !Array.isArray(body) && 'mfa_token' in body;
  return second
    ? { kind: 'second', input: validateBody(secondStepBody, body) }
    : { kind: 'password', input: validateBody(firstStep, body) };
}

/** Sends either step through the one sign-in service. */
export function signInWith<C>(
  signIn: SignIn,
  step: SignInStep<{ username: string; password: string }>,
  attempt: Omit<PasswordAttempt<C>, 'username' | 'password'>,
): Promise<SignedIn<C>> {
  return step.kind === 'password'
    ? signIn.withPassword({ ...attempt, username: step.input.username, password: step.input.password })
    : signIn.withSecondFactor({
        ...attempt,
        mfaToken: step.input.mfa_token,
        ...(step.input.code !== undefined ? { code: step.input.code } : {}),
        ...(step.input.passkey !== undefined
          ? { passkey: step.input.passkey as AuthenticationResponseJSON }
          : {}),
      });
}

const mfaRefusalSchema = z.object({
  detail: z.string(),
  code: z.string(),
  mfa_token: z
    .string()
    .optional()
    .describe('`mfa_required`, `mfa_failed`: post it with a code to this route.'),
  methods: z.array(z.enum(MFA_METHODS)).optional().describe('`mfa_required`: the second factors accepted.'),
});

/** The 401s of a login route: its own refusal, and the two-step sign-in's (`WWW-Authenticate: MFA`). */
export const SIGN_IN_REFUSED: RouteResponseDoc = {
  description:
    'Refused, or a second step is needed: `mfa_required` (post `{mfa_token, code}` to this route), ' +
    '`mfa_failed` (wrong code; a fresh `mfa_token`), `mfa_token_invalid` (sign in again).',
  body: mfaRefusalSchema,
};

/**
 * What a login route issues and how it answers: the password route and the passkey sign-in
 * (`{"issue": …}` on `/api/auth/passkeys/login/verify/`) share it, so both answer alike.
 */
export interface LoginIssuer<C> {
  /** The login route's path (the passkey sign-in names it in nothing but the audit trail). */
  readonly route: string;
  readonly scheme: string;
  readonly refused: () => Error;
  readonly updateLastLogin: boolean;
  /** The route's own checks before any sign-in work (a cookie login's CSRF). */
  check(req: AuthRequest): void;
  issue(user: UserRecord, req: AuthRequest): Promise<Issued<C>>;
  answer(req: AuthRequest, signedIn: SignedIn<C>): HttpResponse;
  /** The documented success answer. */
  readonly success: RouteResponseDoc;
}

/**
 * A login route's whole answer: its own checks, either step through the one sign-in service, and
 * its success body. The session, token and JWT login routes differ only in `login`.
 *
 * @example
 * async handler({ req, body }) {
 *   return answerLogin(signIn, login, req, parseSignInBody(loginBody, body));
 * }
 */
export async function answerLogin<C>(
  signIn: SignIn,
  login: LoginIssuer<C>,
  req: AuthRequest,
  step: SignInStep<{ username: string; password: string }>,
): Promise<HttpResponse> {
  login.check(req);
  const signedIn = await signInWith(signIn, step, { req, ...login, issue: (user) => login.issue(user, req) });
  return login.answer(req, signedIn);
}

/** A LoginIssuer with its credential type forgotten, for a table of them. */
// biome-ignore lint/suspicious/noExplicitAny: each entry keeps its own C; the table only passes it through.
export type AnyLoginIssuer = LoginIssuer<any>;
