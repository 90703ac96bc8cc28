import type { Context } from '../core/context.js';
import { endedSince } from '../core/ended-since.js';
import { AuthenticationFailed } from '../core/errors.js';
import type { AuthResult } from '../core/scheme.js';
import type { ApiTokenAuth } from '../schemes/token/scheme.js';

/**
 * Whether the credential a request was authenticated with is still live now, at the end of
 * its handler: its user not deactivated and not logged out everywhere since, and the API token
 * or the session it came with not revoked meanwhile. A JWT access token has no row of its own:
 * only the user's cutoff ends it.
 *
 * A handler that mints a credential (a new API token, a rotation) asks this once the new one is
 * stored, so that revoking a stolen credential while it is busy minting cannot leave the thief
 * holding a fresh one.
 *
 * @example
 * const issued = await issueApiToken(ctx, auth.user, opts);
 * if (!(await stillAuthenticated(ctx, auth))) { await undo(issued); throw new AuthenticationFailed(); }
 */
export async function stillAuthenticated(ctx: Context, auth: AuthResult): Promise<boolean> {
  if (await endedSince(ctx, auth.user)) return false;
  if (auth.scheme === 'token') {
    const id = (auth.auth as ApiTokenAuth).id;
    return (await ctx.stores.apiTokens.findById(auth.user.id, id)) !== null;
  }
  if (auth.scheme === 'session') {
    // The session handle carries the digest the store knows the session by.
    const digest = (auth.auth as { digest?: unknown } | null)?.digest;
    return typeof digest === 'string' && (await ctx.stores.sessions.findByDigest(digest)) !== null;
  }
  return true;
}

/**
 * Throws a 401 unless the request's credential is still live (see {@link stillAuthenticated}).
 *
 * @example
 * await assertStillAuthenticated(ctx, auth); // after storing what the handler minted
 */
export async function assertStillAuthenticated(ctx: Context, auth: AuthResult): Promise<void> {
  if (!(await stillAuthenticated(ctx, auth))) throw new AuthenticationFailed();
}
