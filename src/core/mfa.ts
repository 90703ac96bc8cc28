import type { UserId } from '../stores/types.js';
import type { Context } from './context.js';

/** The second steps a client may answer `mfa_required` with, in the order they are offered. */
export const MFA_METHODS = ['totp', 'recovery_code', 'passkey'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/**
 * The second factors the user has on: TOTP and its recovery codes once TOTP is confirmed, and a
 * passkey once they registered one (while passkeys are configured: a passkey the server no longer
 * accepts could never finish a sign-in). Shared by the sign-in service, Basic and step-up.
 */
export async function secondFactors(ctx: Context, userId: UserId): Promise<MfaMethod[]> {
  const [totp, passkeys] = await Promise.all([
    ctx.stores.mfa.getTotp(userId),
    ctx.config.mfa.passkeys ? ctx.stores.mfa.listPasskeys(userId) : [],
  ]);
  return MFA_METHODS.filter((m) => (m === 'passkey' ? passkeys.length > 0 : totp?.confirmed === true));
}

/**
 * Whether the user has a second factor on (a confirmed TOTP or a passkey): then no route may hand
 * out a credential for the password alone (docs/mfa.md).
 *
 * @example
 * if (await hasSecondFactor(ctx, user.id)) throw new AuthenticationFailed('…', 'mfa_required');
 */
export async function hasSecondFactor(ctx: Context, userId: UserId): Promise<boolean> {
  return (await secondFactors(ctx, userId)).length > 0;
}
