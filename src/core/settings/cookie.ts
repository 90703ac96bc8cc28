import { z } from 'zod';

/**
 * `Secure` on a cookie: 'auto' sets it when the request arrived over HTTPS (directly or through
 * a trusted proxy), true always, false never.
 */
export const cookieSecure = z.union([z.literal('auto'), z.boolean()], {
  error: () => "expected 'auto', true or false",
});

/** The SameSite attribute; 'None' needs Secure, which browsers enforce. */
export const cookieSameSite = z.enum(['Lax', 'Strict', 'None'], {
  error: (issue) => `expected 'Lax', 'Strict' or 'None', got ${JSON.stringify(issue.input)}`,
});

/** A cookie name: an RFC 6265 token (no spaces, separators or '='). */
export const cookieName = z
  .string()
  .min(1)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected a cookie name (letters, digits, no spaces or "=")');

/** A cookie path: absolute, no ';' (which would end the attribute). */
export const cookiePath = z
  .string()
  .regex(/^\/[^;\s]*$/, 'expected an absolute path such as "/"')
  .default('/');

/** A cookie domain, or null for a host-only cookie (the safe default). */
export const cookieDomain = z
  .string()
  .regex(/^\.?[A-Za-z0-9.-]+$/, 'expected a domain such as "example.com"')
  .nullable()
  .default(null);

/** Resolves a `cookieSecure` setting for one request. */
export function secureFor(setting: 'auto' | boolean, requestSecure: boolean): boolean {
  return setting === 'auto' ? requestSecure : setting;
}
