import { z } from 'zod';
import { cookieDomain, cookieName, cookiePath, cookieSameSite, cookieSecure } from './cookie.js';
import { duration } from './duration.js';

/**
 * A trusted origin: `scheme://host[:port]`, or `scheme://*.example.com` for every subdomain
 * (Django's CSRF_TRUSTED_ORIGINS, scheme required as since Django 4.0).
 */
const trustedOrigin = z
  .string()
  .regex(
    /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/,
    'expected an origin with its scheme: "https://app.example.com" or "https://*.example.com"',
  )
  .transform((s) => s.toLowerCase());

/** An HTTP header name (RFC 9110 token). */
const headerName = z
  .string()
  .min(1)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name such as "X-CSRFToken"');

/**
 * CSRF settings (Django's CSRF_*), shared by the session scheme and the JWT cookie transport.
 *
 * @example
 * defineConfig({ secretKey, csrf: { trustedOrigins: ['https://app.example.com'] } });
 */
export const csrfSettings = z
  .object({
    /** CSRF_COOKIE_NAME: holds the secret; readable by the page (not HttpOnly). */
    cookieName: cookieName.default('csrftoken'),
    /** CSRF_COOKIE_AGE */
    cookieAge: duration.default(31449600),
    /** CSRF_COOKIE_SECURE: 'auto' sets Secure when the request came over HTTPS. */
    cookieSecure: cookieSecure.default('auto'),
    /** CSRF_COOKIE_SAMESITE */
    cookieSameSite: cookieSameSite.default('Lax'),
    /** CSRF_COOKIE_PATH */
    cookiePath,
    /** CSRF_COOKIE_DOMAIN: set it to share the token across subdomains. */
    cookieDomain,
    /** CSRF_HEADER_NAME (as sent: `X-CSRFToken`). */
    headerName: headerName.default('X-CSRFToken'),
    /** CSRF_TRUSTED_ORIGINS: other origins whose unsafe requests are accepted. */
    trustedOrigins: z.array(trustedOrigin).default([]),
  })
  .strict();

export type CsrfSettings = z.output<typeof csrfSettings>;
