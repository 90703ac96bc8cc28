import type { Context } from '../../core/context.js';
import type { Csrf } from '../../core/csrf/csrf.js';
import { endedSince } from '../../core/ended-since.js';
import type { AuthRequest } from '../../core/request.js';
import type { Authenticator, AuthResultOf } from '../../core/scheme.js';
import { SessionHandle } from './handle.js';
import type { SessionService } from './service.js';

declare module '../../core/scheme.js' {
  interface CredentialTypes {
    /** A session-authenticated request's credential: the session and its JSON bag. */
    session: SessionHandle;
  }
}

/** Who is calling, when a session cookie said so. */
export type SessionAuthResult = AuthResultOf<'session'>;

/**
 * Cookie sessions with DRF's SessionAuthentication behaviour: no cookie, or a cookie that names
 * no live session (unknown, expired, idle, its user inactive or logged out everywhere), is
 * anonymous (null), as Django treats it, so the next scheme may try. Once a user is found, an
 * unsafe method must pass Django's CSRF checks (403 otherwise). It has no challenge, so an
 * unauthenticated request gets 403 when session is the first scheme, as in DRF.
 *
 * `auth` is the SessionHandle: the session's id and facts, and its JSON bag (`get`/`set`). The
 * bag is saved by `finish`, once, after the handler; the session is live while its row is there.
 *
 * @example
 * const session = sessionScheme(ctx, { sessions: createSessionService(ctx), csrf: createCsrf(ctx.config.csrf) });
 * const who = await session.authenticate(createAuthRequest({ method: 'GET', url: '/', headers: { cookie: 'sessionid=…' } }));
 */
export function sessionScheme(
  ctx: Context,
  { sessions, csrf }: { sessions: SessionService; csrf: Csrf },
): Authenticator<SessionAuthResult> {
  const maxBytes = ctx.config.sessions.maxDataBytes;

  return {
    name: 'session',
    challenge: () => null,
    async authenticate(req: AuthRequest): Promise<SessionAuthResult | null> {
      const found = await sessions.find(req);
      if (!found) return null;
      const { row, user } = found;
      // DRF: an inactive user's session is anonymous. Logging out everywhere deletes the rows,
      // and the row is the session's whole truth: unlike a token's issue time, the
      // tokensValidAfter cutoff is not applied, so the session a password change keeps (Django's
      // update_session_auth_hash) stays signed in.
      if (!user || !user.isActive) return null;
      // DRF's enforce_csrf: only a request the cookie authenticates needs it.
      csrf.enforce(req);
      sessions.touch(row, ctx.clock.now());
      return { user, auth: new SessionHandle(row, ctx.stores.sessions, maxBytes), scheme: 'session' };
    },
    // Logging out (here or everywhere) deletes the row the handle carries the digest of.
    async isLive({ user, auth }) {
      if (await endedSince(ctx, user)) return false;
      return (await ctx.stores.sessions.findByDigest(auth.digest)) !== null;
    },
    // The bag is written once, after the handler, and only when it changed.
    finish: ({ auth }) => auth.save(),
  };
}
