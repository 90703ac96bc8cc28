import type { Context } from '../../core/context.js';
import { type CookieOptions, clearCookie, serializeCookie } from '../../core/cookies.js';
import type { AuthRequest } from '../../core/request.js';
import { secureFor } from '../../core/settings/cookie.js';
import type { JwtCookieSettings } from '../../core/settings/jwt-cookie.js';

/**
 * The JWT cookie transport (`jwt.cookie`): where the scheme and the token endpoints read tokens
 * from cookies and write them. Both cookies are HttpOnly. A token that arrives in a cookie is
 * an ambient credential, so whoever reads one enforces CSRF.
 */
export interface JwtCookies {
  readonly settings: JwtCookieSettings;
  /** The access token from its cookie, or null. */
  access(req: AuthRequest): string | null;
  /** The refresh token from its cookie (sent only under `refreshPath`), or null. */
  refresh(req: AuthRequest): string | null;
  /** Set-Cookie values for newly issued tokens (the refresh cookie only when one was issued). */
  set(req: AuthRequest, tokens: { access: string; refresh?: string | undefined }): string[];
  /** Set-Cookie values that remove both cookies. */
  clear(req: AuthRequest): string[];
}

/**
 * Builds the JWT cookie transport of a context, or null when `jwt.cookie` is off;
 * `createServices` makes the one the scheme and the token endpoints share.
 *
 * @example
 * const cookies = createJwtCookies(ctx);
 * if (cookies) headers['set-cookie'] = cookies.set(req, pair);
 */
export function createJwtCookies(ctx: Context): JwtCookies | null {
  return ctx.config.jwt.cookie ? create(ctx, ctx.config.jwt.cookie) : null;
}

function create(ctx: Context, settings: JwtCookieSettings): JwtCookies {
  const { accessTokenLifetime, refreshTokenLifetime } = ctx.config.jwt;
  const options = (req: AuthRequest, path: string): CookieOptions => ({
    path,
    domain: settings.domain ?? undefined,
    secure: secureFor(settings.secure, req.secure),
    httpOnly: true,
    sameSite: settings.sameSite,
  });
  const read = (req: AuthRequest, name: string): string | null => {
    const value = req.cookies[name];
    return value ? value : null;
  };
  return {
    settings,
    access: (req) => read(req, settings.accessName),
    refresh: (req) => read(req, settings.refreshName),
    set(req, tokens) {
      const out = [
        serializeCookie(settings.accessName, tokens.access, {
          ...options(req, '/'),
          maxAge: accessTokenLifetime,
        }),
      ];
      if (tokens.refresh) {
        out.push(
          serializeCookie(settings.refreshName, tokens.refresh, {
            ...options(req, settings.refreshPath),
            maxAge: refreshTokenLifetime,
          }),
        );
      }
      return out;
    },
    clear: (req) => [
      clearCookie(settings.accessName, options(req, '/')),
      clearCookie(settings.refreshName, options(req, settings.refreshPath)),
    ],
  };
}
