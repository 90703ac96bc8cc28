import type { UserId } from '../stores/types.js';
import type { Context } from './context.js';

/**
 * Whether the user has a second factor on (a confirmed TOTP): then no route may hand out a
 * credential for the password alone (docs/mfa.md). Shared by the sign-in service and Basic.
 *
 * @example
 * if (await hasSecondFactor(ctx, user.id)) throw new AuthenticationFailed('…', 'mfa_required');
 */
export async function hasSecondFactor(ctx: Context, userId: UserId): Promise<boolean> {
  const totp = await ctx.stores.mfa.getTotp(userId);
  return totp?.confirmed === true;
}
