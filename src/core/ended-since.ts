import type { UserRecord } from '../stores/types.js';
import type { Context } from './context.js';

/**
 * True when, since `seen` was read, the user was deleted or deactivated, or had every
 * credential ended (logout-everywhere, a password change, a deactivation: each moves
 * `tokensValidAfter`).
 *
 * A login or a refresh reads the user, checks, then writes a credential. If a logout-everywhere
 * lands in between, its deletes may run before that credential exists, and its cutoff may not
 * be later than the credential's issue time: the credential would outlive the logout meant to
 * end it, or a login with the old password would outlive the password change. So the writer
 * checks again once its credential is stored, and refuses (undoing it) when this is true. A
 * logout that lands after this check finds the credential already stored, and ends it. Logins
 * get this from the sign-in service (`services/sign-in.ts`); refreshes and each scheme's
 * `isLive` call it themselves.
 *
 * @example
 * const pair = await tokens.issuePair(user);
 * if (await endedSince(ctx, user)) throw new AuthenticationFailed();
 */
export async function endedSince(ctx: Context, seen: UserRecord): Promise<boolean> {
  const now = await ctx.stores.users.findById(seen.id);
  return !now || !now.isActive || now.tokensValidAfter !== seen.tokensValidAfter;
}
