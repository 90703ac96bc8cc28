import type { Context } from '../../core/context.js';
import { csrfFor } from '../../core/csrf/csrf.js';
import type { AuthRequest } from '../../core/request.js';
import type { Authenticator, AuthResult } from '../../core/scheme.js';
import { SessionHandle } from './handle.js';
import { sessionService } from './service.js';

/**
 * Cookie sessions with DRF's SessionAuthentication behaviour: no cookie, or a cookie that names
 * no live session (unknown, expired, idle, its user inactive or logged out everywhere), is
 * anonymous (null), as Django treats it, so the next scheme may try. Once a user is found, an
 * unsafe method must pass Django's CSRF checks (403 otherwise). It has no challenge, so an
 * unauthenticated request gets 403 when session is the first scheme, as in DRF.
 *
 * `auth` is the SessionHandle: the session's id and facts, and its JSON bag (`get`/`set`).
 *
 * @example
 * const session = sessionScheme(ctx);
 * const who = await session.authenticate(createAuthRequest({ method: 'GET', url: '/', headers: { cookie: 'sessionid=…' } }));
 */
export function sessionScheme(ctx: Context): Authenticator {
  const sessions = sessionService(ctx);
  const csrf = csrfFor(ctx);
  const maxBytes = ctx.config.sessions.maxDataBytes;

  return {
    name: 'session',
    challenge: () => null,
    async authenticate(req: AuthRequest): Promise<AuthResult<SessionHandle> | null> {
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
  };
}
