import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { Conflict, ValidationError } from '../../core/errors.js';
import { canManageAccount } from '../../core/permissions.js';
import type { AuthRequest } from '../../core/request.js';
import type { Throttle } from '../../core/throttle/throttle.js';
import { assertRecentAuth } from '../../services/mfa/recent-auth.js';
import { MAX_CODE_LENGTH } from '../../services/mfa/service.js';
import type { UserRecord } from '../../stores/types.js';
import { STEP_UP, THROTTLED } from '../responses.js';
import type { Route, RouteFactory, RouteResponseDoc } from '../types.js';
import { validateBody } from '../validate.js';

const WRONG_PASSWORD = 'Your password was entered incorrectly. Please enter it again.';

const statusSchema = z.object({
  totp: z.boolean().describe('Whether TOTP is on (confirmed).'),
  passkeys: z
    .array(
      z.object({ id: z.string(), name: z.string(), created: z.string(), last_used: z.string().nullable() }),
    )
    .describe('The caller’s passkeys, oldest first.'),
  recovery_codes_left: z.int().describe('Unused recovery codes.'),
});
const setupSchema = z.object({
  secret: z.string().describe('The base32 secret, for typing into an app by hand.'),
  otpauth_url: z.string(),
  qr_svg: z.string().describe('The otpauth:// URL as a QR code (SVG), made on this server.'),
});
const codesSchema = z.object({
  recovery_codes: z
    .array(z.string())
    .describe('Shown this once: each works one time in place of a TOTP code.'),
});

/** The state refusals of the second-factor routes. */
const CONFLICT: RouteResponseDoc = {
  description: 'TOTP is already on (`mfa_already_enabled`) or off (`mfa_not_enabled`).',
};

/** Re-checks the caller's password, throttled and backed off per (ip, user) like a password change. */
async function confirmPassword(
  ctx: Context,
  throttle: Throttle,
  req: AuthRequest,
  user: UserRecord,
  password: string,
): Promise<void> {
  const gate = await throttle.attempt(req, 'passwordChange', String(user.id));
  if (!(await ctx.passwords.verify(password, user.passwordHash)).ok) {
    await gate.fail();
    throw new ValidationError({ password: [WRONG_PASSWORD] });
  }
  await gate.pass();
}

/**
 * The caller's second factors (docs/mfa.md): the status, TOTP setup, confirm and disable, and a
 * new set of recovery codes. Account management: a scoped API token needs the `account` scope.
 * Disabling and new recovery codes also need a recent sign-in (step-up), so a stolen session or
 * token cannot quietly take the second factor away.
 *
 * @example
 * const gh = createGatehouse({ config, stores, routes: [mfaRoutes] });
 */
export const mfaRoutes: RouteFactory = ({ ctx, throttle, mfa }): Route[] => {
  const password = z.string().min(1).max(ctx.config.passwords.maxLength);
  const code = z.string().trim().min(1).max(MAX_CODE_LENGTH);
  const passwordBody = z.object({ password });
  const codeBody = z.object({ code });
  const disableBody = z
    .object({ password: password.optional(), code: code.optional() })
    .refine((b) => b.password !== undefined || b.code !== undefined, {
      message: 'Send your password or a current code.',
    });

  return [
    {
      method: 'GET',
      path: '/api/auth/mfa/',
      permission: canManageAccount,
      summary:
        'The caller’s second factors: whether TOTP is on, their passkeys, and how many recovery codes are left.',
      responses: { 200: { description: 'The status.', body: statusSchema } },
      async handler({ auth }) {
        return { status: 200, body: await mfa.status(auth!.user.id) };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/mfa/totp/setup/',
      permission: canManageAccount,
      summary: 'Start TOTP setup with your password: a new secret and its QR code (not on until confirmed).',
      body: passwordBody,
      responses: { 200: { description: 'The secret.', body: setupSchema }, 409: CONFLICT, 429: THROTTLED },
      async handler({ req, body, auth }) {
        const input = validateBody(passwordBody, body);
        await confirmPassword(ctx, throttle, req, auth!.user, input.password);
        return { status: 200, body: await mfa.setupTotp(auth!.user) };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/mfa/totp/confirm/',
      permission: canManageAccount,
      summary: 'Turn TOTP on with a first code from the app: the recovery codes, shown once.',
      body: codeBody,
      responses: { 200: { description: 'TOTP is on.', body: codesSchema }, 409: CONFLICT, 429: THROTTLED },
      async handler({ req, body, auth }) {
        const input = validateBody(codeBody, body);
        const codes = await mfa.confirmTotp(auth!.user, input.code, req, auth!.scheme);
        return { status: 200, body: { recovery_codes: codes } };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/mfa/totp/disable/',
      permission: canManageAccount,
      summary: 'Turn every second factor off, with your password or a current code; needs a recent sign-in.',
      body: disableBody,
      responses: { 204: { description: 'Off.' }, 403: STEP_UP, 409: CONFLICT, 429: THROTTLED },
      async handler({ req, body, auth }) {
        const input = validateBody(disableBody, body);
        const user = auth!.user;
        await assertRecentAuth(ctx, auth!);
        if (input.password !== undefined) await confirmPassword(ctx, throttle, req, user, input.password);
        else if (!(await mfa.checkCode(user, input.code!, req, auth!.scheme))) {
          throw new ValidationError({ code: ['The code is not valid.'] });
        }
        if (!(await mfa.disable(user, req, auth!.scheme))) {
          throw new Conflict('There is no second factor to turn off.', 'mfa_not_enabled');
        }
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/mfa/recovery-codes/',
      permission: canManageAccount,
      summary:
        'A new set of recovery codes, with your password; the old set stops working. Needs a recent sign-in.',
      body: passwordBody,
      responses: {
        200: { description: 'The new codes.', body: codesSchema },
        403: STEP_UP,
        409: CONFLICT,
        429: THROTTLED,
      },
      async handler({ req, body, auth }) {
        const input = validateBody(passwordBody, body);
        await assertRecentAuth(ctx, auth!);
        await confirmPassword(ctx, throttle, req, auth!.user, input.password);
        const codes = await mfa.regenerateRecoveryCodes(auth!.user, req, auth!.scheme);
        return { status: 200, body: { recovery_codes: codes } };
      },
    },
  ];
};
