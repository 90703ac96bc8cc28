import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { AuthenticationFailed, NotFound, PermissionDenied } from '../../core/errors.js';
import { allowAny, canManageAccount, credentialScopes, isAuthenticated } from '../../core/permissions.js';
import type { Pipeline } from '../../core/pipeline.js';
import type { AuthRequest } from '../../core/request.js';
import type { AuthResult } from '../../core/scheme.js';
import {
  type IssuedToken,
  issueApiToken,
  MAX_SCOPES,
  MAX_TOKEN_NAME_LENGTH,
  revokeApiToken,
  rotateApiToken,
  SCOPE_MESSAGE,
  SCOPE_PATTERN,
} from '../../schemes/token/issue.js';
import { hasExpired } from '../../schemes/token/usage.js';
import { assertRecentAuth } from '../../services/mfa/recent-auth.js';
import { type Issued, loginFailed } from '../../services/sign-in.js';
import type { Services } from '../../services/types.js';
import type { ApiTokenRecord, UserRecord } from '../../stores/types.js';
import { STEP_UP, THROTTLED } from '../responses.js';
import {
  answerLogin,
  eitherStep,
  type LoginIssuer,
  parseSignInBody,
  SIGN_IN_REFUSED,
} from '../sign-in-body.js';
import type { Route, RouteFactory, RouteResponseDoc } from '../types.js';
import { validateBody } from '../validate.js';

/** With no `tokens.maxAge`, `expires_in` still has a ceiling: ten years. */
const MAX_EXPIRES_IN = 10 * 365 * 86400;

/** A token's name; DRF's CharField refuses NUL (ProhibitNullCharactersValidator), as PostgreSQL does. */
const tokenName = z
  .string()
  .trim()
  .max(MAX_TOKEN_NAME_LENGTH)
  .refine((name) => !name.includes('\0'), 'Null characters are not allowed.');

/** DRF's AuthTokenSerializer: the username is trimmed, the password is taken as typed. */
export const obtainTokenBody = z.object({
  username: z.string().trim().min(1),
  password: z.string().min(1).max(1024),
  name: tokenName.optional(),
});

const timestamp = z.iso.datetime();

/** The wire shape of a token in lists: never the key, never the digest. */
export const apiTokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key (`gat_3kTm`), to tell keys apart.'),
  scopes: z.array(z.string()).describe('Empty: full access.'),
  created: timestamp,
  last_used: timestamp.nullable().describe('Written at most once per `tokens.lastUsedInterval`.'),
  expiry: timestamp.nullable(),
  current: z.boolean().describe('True for the token this request was authenticated with.'),
});
export type ApiTokenView = z.output<typeof apiTokenViewSchema>;

const newTokenSchema = apiTokenViewSchema.extend({
  key: z.string().describe('The key: shown in this response only, never again.'),
});
const obtainResponseSchema = z.object({ token: z.string(), expiry: timestamp.nullable() });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The public view of a token row. */
export function apiTokenView(token: ApiTokenRecord, auth: AuthResult | null = null): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: [...token.scopes],
    created: new Date(token.createdAt).toISOString(),
    last_used: iso(token.lastUsedAt),
    expiry: iso(token.expiresAt),
    current: auth?.scheme === 'token' && auth.auth.id === token.id,
  };
}

/** `expires_in` (seconds): bounded by `tokens.maxAge`; null (never) only when `tokens.ttl` is. */
function expiresInField(ctx: Context) {
  const max = Math.min(ctx.config.tokens.maxAge ?? MAX_EXPIRES_IN, MAX_EXPIRES_IN);
  const field = z
    .int()
    .min(1, 'Ensure this value is greater than or equal to 1.')
    .max(max, `Ensure this value is less than or equal to ${max}.`);
  return (ctx.config.tokens.ttl === null ? field.nullable() : field).optional();
}

/**
 * A credential restricted to some scopes may only hand out keys within them: otherwise a token
 * made for `notes:read` could mint itself a full-access one.
 */
function assertMayGrant(auth: AuthResult, scopes: readonly string[]): void {
  const own = credentialScopes(auth);
  if (own === null) return;
  if (scopes.length === 0 || scopes.some((s) => !own.includes(s))) {
    throw new PermissionDenied(
      'A token with scopes can only create or rotate tokens limited to some of its own scopes.',
      'insufficient_scope',
    );
  }
}

/**
 * A token may always revoke or rotate itself; doing so to another of the user's tokens is
 * account management, which a token made with scopes needs the `account` scope for.
 */
async function assertMayManage(req: AuthRequest, auth: AuthResult, id: string): Promise<void> {
  if (auth.scheme === 'token' && auth.auth.id === id) return;
  if (!(await canManageAccount.has(req, auth))) {
    throw new PermissionDenied(canManageAccount.message, canManageAccount.code);
  }
}

/** The device token of one obtain; refused after all, it is deleted before anyone saw its key. */
async function obtainToken(
  ctx: Context,
  user: UserRecord,
  name: string,
  req: AuthRequest,
): Promise<Issued<IssuedToken>> {
  const issued = await issueApiToken(ctx, user, { name, via: 'obtain', req });
  const undo = async (): Promise<void> => {
    await ctx.stores.apiTokens.deleteById(user.id, issued.token.id);
  };
  return { credential: issued, undo };
}

/**
 * Throws a 401 unless the request's credential is still live, as its scheme decides: revoking a
 * stolen credential while it mints must not leave the thief holding a fresh one.
 */
async function assertLive(pipeline: Pipeline, auth: AuthResult): Promise<void> {
  if (!(await pipeline.isLive(auth))) throw new AuthenticationFailed();
}

const created = (issued: IssuedToken, status: number) => ({
  status,
  // The key is in this response and nowhere else, ever.
  body: { ...apiTokenView(issued.token), key: issued.key },
});

/**
 * DRF's obtain_auth_token issuing and answer (a new device token, named after the client), shared
 * with the passkey sign-in.
 */
export function tokenLogin({ ctx }: Services, name?: string): LoginIssuer<IssuedToken> {
  return {
    route: '/api-token-auth/',
    scheme: 'token',
    refused: loginFailed,
    // DRF's obtain_auth_token does not call login(): last_login stays as it was.
    updateLastLogin: false,
    check: () => {},
    issue: (user, req) => obtainToken(ctx, user, name || req.headers['user-agent'] || 'api-token-auth', req),
    answer: (_req, { credential: { key, token } }) => ({
      status: 200,
      body: { token: key, expiry: iso(token.expiresAt) },
    }),
    success: { description: 'A new device token.', body: obtainResponseSchema },
  };
}

/**
 * The API token routes: DRF's `POST /api-token-auth/` (one obtain = one new device token), and
 * the owner's own token management under `/api/auth/tokens/`.
 */
export const tokenRoutes: RouteFactory = (services): Route[] => {
  const { ctx, signIn } = services;
  const createBody = z.object({
    name: tokenName.optional(),
    expires_in: expiresInField(ctx),
    scopes: z
      .array(z.string().regex(SCOPE_PATTERN, SCOPE_MESSAGE))
      .max(MAX_SCOPES, `Ensure this field has no more than ${MAX_SCOPES} elements.`)
      .optional(),
  });
  const rotateBody = z.object({ expires_in: expiresInField(ctx) });
  // With tokens.atLimit 'refuse', an obtain at the limit is knox's 403 (else the oldest retires).
  const atLimitRefused: Record<number, RouteResponseDoc> =
    ctx.config.tokens.atLimit === 'refuse'
      ? { 403: { description: 'The user holds `tokens.maxPerUser` tokens (`token_limit_reached`).' } }
      : {};

  return [
    {
      method: 'POST',
      path: '/api-token-auth/',
      permission: allowAny,
      schemes: [],
      summary:
        'Obtain an API token with a username and password (DRF obtain_auth_token); then `{mfa_token, code}` when a second factor is on.',
      body: eitherStep(obtainTokenBody),
      responses: {
        200: { description: 'A new device token.', body: obtainResponseSchema },
        401: SIGN_IN_REFUSED,
        ...atLimitRefused,
        429: THROTTLED,
      },
      async handler({ req, body }) {
        const step = parseSignInBody(obtainTokenBody, body);
        const login = tokenLogin(services, step.kind === 'password' ? step.input.name : undefined);
        return answerLogin(signIn, login, req, step);
      },
    },
    {
      method: 'GET',
      path: '/api/auth/tokens/',
      permission: canManageAccount,
      summary: "The caller's live API tokens (never their keys).",
      responses: { 200: { description: 'Newest first.', body: z.array(apiTokenViewSchema) } },
      async handler({ auth }) {
        const now = ctx.clock.now();
        const tokens = await ctx.stores.apiTokens.listForUser(auth!.user.id);
        return {
          status: 200,
          body: tokens.filter((t) => !hasExpired(t, now)).map((t) => apiTokenView(t, auth)),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/tokens/',
      permission: isAuthenticated,
      summary: 'Create an API token; its key is in this response only.',
      body: createBody,
      responses: { 201: { description: 'The new token and its key.', body: newTokenSchema }, 403: STEP_UP },
      async handler({ req, body, auth }) {
        const input = validateBody(createBody, body);
        await assertRecentAuth(ctx, auth!);
        const scopes = input.scopes ?? [];
        assertMayGrant(auth!, scopes);
        const issued = await issueApiToken(ctx, auth!.user, {
          name: input.name || undefined,
          lifetime: input.expires_in,
          scopes,
          via: 'api',
          req,
          // Retiring another device's token is account management: without it, the limit refuses.
          atLimit: (await canManageAccount.has(req, auth)) ? undefined : 'refuse',
        });
        try {
          // Revoking a stolen credential while it mints must not leave the thief a fresh one.
          await assertLive(services.pipeline, auth!);
        } catch (err) {
          await ctx.stores.apiTokens.deleteById(auth!.user.id, issued.token.id);
          throw err;
        }
        return created(issued, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/api/auth/tokens/:id/',
      permission: isAuthenticated,
      summary: "Revoke one of the caller's API tokens.",
      responses: {
        204: { description: 'Revoked.' },
        404: { description: 'Not one of the caller’s tokens.' },
      },
      async handler({ req, params, auth }) {
        await assertMayManage(req, auth!, params.id!);
        if (!(await revokeApiToken(ctx, auth!.user, params.id!, req))) throw new NotFound();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/tokens/:id/rotate/',
      permission: isAuthenticated,
      summary: 'Replace a token with a new key (same name and scopes); the old key ends now.',
      body: rotateBody,
      responses: {
        200: { description: 'The new token and its key.', body: newTokenSchema },
        404: { description: 'Not one of the caller’s tokens.' },
      },
      async handler({ req, params, body, auth }) {
        const input = validateBody(rotateBody, body);
        await assertMayManage(req, auth!, params.id!);
        const old = await ctx.stores.apiTokens.findById(auth!.user.id, params.id!);
        if (!old) throw new NotFound();
        assertMayGrant(auth!, old.scopes);
        const issued = await rotateApiToken(ctx, auth!.user, old.id, {
          lifetime: input.expires_in,
          req,
          confirm: () => assertLive(services.pipeline, auth!),
        });
        if (!issued) throw new NotFound();
        return created(issued, 200);
      },
    },
  ];
};
