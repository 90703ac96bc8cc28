import { z } from 'zod';
import { cookieDomain, cookieName, cookiePath, cookieSameSite, cookieSecure } from './cookie.js';

/**
 * JWTs in HttpOnly cookies (dj-rest-auth's JWT_AUTH_COOKIE), for browser apps that should not
 * keep tokens where page scripts can read them. `true` takes every default.
 */
const jwtCookieObject = z
  .object({
    /** JWT_AUTH_COOKIE: the access token; sent with every request (Path=/). */
    accessName: cookieName.default('jwt-access'),
    /** JWT_AUTH_REFRESH_COOKIE: the refresh token. */
    refreshName: cookieName.default('jwt-refresh'),
    /**
     * JWT_AUTH_REFRESH_COOKIE_PATH: the refresh cookie goes only to the token endpoints (refresh
     * and blacklist, which logs out), never to the rest of the API.
     */
    refreshPath: cookiePath.default('/api/token/'),
    /** JWT_AUTH_COOKIE_DOMAIN */
    domain: cookieDomain,
    /** JWT_AUTH_SECURE: 'auto' sets Secure when the request came over HTTPS. */
    secure: cookieSecure.default('auto'),
    /** JWT_AUTH_SAMESITE */
    sameSite: cookieSameSite.default('Lax'),
    /**
     * Also answer the refresh token in response bodies (for other clients of the same endpoints).
     * Off, as dj-rest-auth's JWT_AUTH_HTTPONLY: a script injected into the page could otherwise
     * read a refresh token out of a response and keep it.
     */
    refreshInBody: z.boolean().default(false),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.accessName === s.refreshName) {
      ctx.addIssue({ code: 'custom', path: ['refreshName'], message: 'must differ from accessName' });
    }
    if (s.sameSite === 'None' && s.secure === false) {
      ctx.addIssue({ code: 'custom', path: ['sameSite'], message: "'None' needs secure 'auto' or true" });
    }
  });

/** `jwt.cookie`: false (off), true (defaults) or the settings; null once parsed when off. */
export const jwtCookieSettings = z
  .union([z.boolean(), jwtCookieObject], {
    error: () => 'expected true, false or an object of cookie settings',
  })
  .default(false)
  .transform((value) => (value === false ? null : value === true ? jwtCookieObject.parse({}) : value));

export type JwtCookieSettings = z.output<typeof jwtCookieObject>;
