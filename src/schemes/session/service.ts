import { audit } from '../../core/audit.js';
import type { Context } from '../../core/context.js';
import { clearCookie, serializeCookie } from '../../core/cookies.js';
import type { AuthRequest } from '../../core/request.js';
import { secureFor } from '../../core/settings/cookie.js';
import { randomId, randomSecret, sha256Hex } from '../../crypto/random.js';
import type { SessionRecord, UserRecord } from '../../stores/types.js';
import { lookupWithUser } from '../lookup-with-user.js';

/** randomSecret(32): 256 bits as 43 base64url characters. Anything else is not ours. */
const SESSION_KEY = /^[A-Za-z0-9_-]{43}$/;
/** User agents are stored for the sessions list, not kept in full. */
const MAX_USER_AGENT = 256;

/** A live session found from a request's cookie. */
export interface FoundSession {
  /** The secret from the cookie. */
  key: string;
  row: SessionRecord;
  /** Its user; null when the user is gone. */
  user: UserRecord | null;
}

/** Who ended a session: a signed-in request (with its scheme), or an operator (`via: 'cli'`). */
export interface RevokedBy {
  req: AuthRequest | null;
  scheme?: string;
  via?: 'cli';
}

/**
 * Sessions as the scheme and the routes share them: find a request's live session, start one at
 * login (always a new id: no fixation), end one, and write the cookies. Built once, by createServices.
 */
export interface SessionService {
  /**
   * The live session the request's cookie names, with its user (read in the same lookup where the
   * store can); null when absent, malformed, unknown, expired or idle.
   */
  find(req: AuthRequest): Promise<FoundSession | null>;
  /** True while the row is within its absolute lifetime and its idle timeout. */
  isLive(row: SessionRecord, now: number): boolean;
  /**
   * Starts a session for `user` with a new secret. The session the request carried, if any, is
   * deleted; its bag is kept when it was the same user's (Django's cycle_key).
   */
  start(user: UserRecord, req: AuthRequest): Promise<{ row: SessionRecord; setCookie: string }>;
  /** Deletes the session the request's cookie names; returns its row when there was one. */
  end(req: AuthRequest): Promise<SessionRecord | null>;
  /**
   * Ends `user`'s session `id` (another device, from the sessions list or the CLI) and audits it as
   * `session_revoked`; false when the user has no such session. `by` says who did it: the
   * request and its scheme, or the CLI (`req` null, `via: 'cli'`).
   */
  revoke(user: Pick<UserRecord, 'id' | 'username'>, id: string, by: RevokedBy): Promise<boolean>;
  /** Writes `last seen`, at most once per `touchInterval`, off the response path. */
  touch(row: SessionRecord, now: number): void;
  /** The Set-Cookie that removes the session cookie. */
  clearCookie(req: AuthRequest): string;
}

/**
 * Builds the session service of a context; `createServices` makes the one the scheme, the routes
 * and the CLI share.
 *
 * @example
 * const sessions = createSessionService(ctx);
 * const { setCookie } = await sessions.start(user, req);
 */
export function createSessionService(ctx: Context): SessionService {
  const settings = ctx.config.sessions;
  const { sessions, users } = ctx.stores;
  const lookup = lookupWithUser((digest) => sessions.findByDigest(digest), sessions.withUser, users);
  const lifetimeMs = settings.lifetime * 1000;
  const idleMs = settings.idleTimeout === null ? null : settings.idleTimeout * 1000;
  const touchMs = settings.touchInterval * 1000;
  // Digests with a write under way, so a burst of requests on one session makes one write.
  const touching = new Set<string>();

  const cookieOptions = (req: AuthRequest) => ({
    path: settings.cookiePath,
    domain: settings.cookieDomain ?? undefined,
    secure: secureFor(settings.cookieSecure, req.secure),
    httpOnly: settings.cookieHttpOnly,
    sameSite: settings.cookieSameSite,
  });

  const isLive = (row: SessionRecord, now: number): boolean =>
    row.expiresAt > now && (idleMs === null || now - row.lastSeenAt < idleMs);

  const keyOf = (req: AuthRequest): string | null => {
    const key = req.cookies[settings.cookieName];
    return key !== undefined && SESSION_KEY.test(key) ? key : null;
  };

  const forget = (digest: string): void => {
    sessions.deleteByDigest(digest).catch((err: unknown) => {
      ctx.logger.warn({ err }, 'deleting an expired session failed');
    });
  };

  return {
    isLive,
    async find(req) {
      const key = keyOf(req);
      if (key === null) return null;
      const found = await lookup(sha256Hex(key));
      if (!found) return null;
      const { record: row, user } = found;
      if (!isLive(row, ctx.clock.now())) {
        // Expired or idle: gone for good, so the row need not wait for flush-expired.
        forget(row.digest);
        return null;
      }
      return { key, row, user };
    },

    async start(user, req) {
      const now = ctx.clock.now();
      const previousKey = keyOf(req);
      let data: Record<string, unknown> = {};
      if (previousKey !== null) {
        const digest = sha256Hex(previousKey);
        const previous = await sessions.findByDigest(digest);
        if (previous && previous.userId === user.id && isLive(previous, now)) data = previous.data;
        if (previous) await sessions.deleteByDigest(digest);
      }
      const key = randomSecret(32);
      const row: SessionRecord = {
        id: randomId(),
        digest: sha256Hex(key),
        userId: user.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + lifetimeMs,
        ip: req.ip,
        userAgent: (req.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT),
        data,
      };
      await sessions.create(row);
      const maxAge = settings.expireAtBrowserClose ? undefined : settings.lifetime;
      return { row, setCookie: serializeCookie(settings.cookieName, key, { ...cookieOptions(req), maxAge }) };
    },

    async end(req) {
      const key = keyOf(req);
      if (key === null) return null;
      const digest = sha256Hex(key);
      const row = await sessions.findByDigest(digest);
      if (row) await sessions.deleteByDigest(digest);
      return row;
    },

    async revoke(user, id, { req, scheme, via }) {
      if (!(await sessions.deleteById(user.id, id))) return false;
      await audit(ctx, req, 'session_revoked', {
        user,
        ...(scheme === undefined ? {} : { scheme }),
        detail: via ? { sessionId: id, via } : { sessionId: id },
      });
      return true;
    },

    touch(row, now) {
      if (now - row.lastSeenAt < touchMs || touching.has(row.digest)) return;
      touching.add(row.digest);
      sessions
        .touch(row.digest, now)
        .catch((err: unknown) =>
          ctx.logger.warn({ err, sessionId: row.id }, 'session last-seen write failed'),
        )
        .finally(() => touching.delete(row.digest));
    },

    clearCookie: (req) => clearCookie(settings.cookieName, cookieOptions(req)),
  };
}
