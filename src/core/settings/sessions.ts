import { z } from 'zod';
import { cookieDomain, cookieName, cookiePath, cookieSameSite, cookieSecure } from './cookie.js';
import { duration, optionalDuration } from './duration.js';

/**
 * Session settings (Django's SESSION_COOKIE_* and SESSION_*). Lifetimes are seconds once
 * parsed.
 *
 * @example
 * defineConfig({ secretKey, sessions: { lifetime: '7d', idleTimeout: '2h', cookieSecure: true } });
 */
export const sessionSettings = z
  .object({
    /** SESSION_COOKIE_NAME */
    cookieName: cookieName.default('sessionid'),
    /** SESSION_COOKIE_AGE: absolute lifetime, counted from the login. */
    lifetime: duration.default(14 * 86400),
    /** Ends a session unused this long; null: no idle timeout. */
    idleTimeout: optionalDuration.default(null),
    /** `last seen` is written at most this often per session, never on every request. */
    touchInterval: duration.default(60),
    /** SESSION_COOKIE_SECURE: 'auto' sets Secure when the request came over HTTPS. */
    cookieSecure: cookieSecure.default('auto'),
    /** SESSION_COOKIE_HTTPONLY: page scripts never read the session id. */
    cookieHttpOnly: z.boolean().default(true),
    /** SESSION_COOKIE_SAMESITE */
    cookieSameSite: cookieSameSite.default('Lax'),
    /** SESSION_COOKIE_PATH */
    cookiePath,
    /** SESSION_COOKIE_DOMAIN: null for a host-only cookie. */
    cookieDomain,
    /** SESSION_EXPIRE_AT_BROWSER_CLOSE: a cookie without Max-Age (the row still expires). */
    expireAtBrowserClose: z.boolean().default(false),
    /** Largest application bag (`session.set`), in bytes of JSON. */
    maxDataBytes: z.number().int().min(0).max(65536).default(4096),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.idleTimeout !== null && s.idleTimeout <= s.touchInterval) {
      ctx.addIssue({
        code: 'custom',
        path: ['idleTimeout'],
        message: `must be longer than touchInterval (${s.touchInterval}s): last seen is written only that often`,
      });
    }
    if (s.cookieSameSite === 'None' && s.cookieSecure === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['cookieSameSite'],
        message:
          "'None' needs cookieSecure 'auto' or true: browsers drop SameSite=None cookies without Secure",
      });
    }
  });

export type SessionSettings = z.output<typeof sessionSettings>;
