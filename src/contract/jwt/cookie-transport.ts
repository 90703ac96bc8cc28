import { z } from 'zod';
import type { Csrf } from '../../core/csrf/csrf.js';
import type { AuthRequest } from '../../core/request.js';
import type { JwtCookies } from '../../schemes/jwt/cookies.js';
import type { HttpResponse } from '../types.js';
import { validateBody } from '../validate.js';

/** Longest token accepted in a body: bounds the work a hostile one can cause. */
const MAX_TOKEN = 8192;
const token = z.string().min(1).max(MAX_TOKEN);

/**
 * How the token endpoints take and give tokens: in bodies always (simplejwt's wire), and with
 * `jwt.cookie` also in HttpOnly cookies (dj-rest-auth's JWT_AUTH_COOKIE). With cookies off every
 * method is the plain simplejwt behaviour.
 */
export interface JwtTransport {
  /** The refresh endpoint's body schema: `refresh` is optional when the cookie may carry it. */
  readonly refreshBody: z.ZodType;
  /**
   * Before a password login that answers with cookies: the Origin (or Referer) check, so a page
   * on another site cannot sign the browser into an attacker's account (login CSRF). Clients
   * that send no Origin (scripts, apps) are unaffected.
   */
  checkObtain(req: AuthRequest): void;
  /**
   * The refresh token from the body, or else from the refresh cookie, which is an ambient
   * credential: then the full CSRF check applies. A 400 field error when there is neither.
   */
  refreshToken(req: AuthRequest, body: unknown): string;
  /** The 200 for newly issued tokens: the body, and with cookies the Set-Cookie headers. */
  respond(req: AuthRequest, issued: { access: string; refresh?: string | undefined }): HttpResponse;
  /** Headers that remove the JWT cookies (empty with cookies off). */
  clearHeaders(req: AuthRequest): Record<string, string[]>;
}

/**
 * The token endpoints' transport: bodies only without `jwt.cookie`, else cookies as well.
 *
 * @example
 * const transport = jwtTransport(services.jwtCookies, services.csrf);
 * return transport.respond(req, await tokens.issuePair(user));
 */
export function jwtTransport(cookies: JwtCookies | null, csrf: Csrf): JwtTransport {
  const bodyOnly = z.object({ refresh: token });
  if (!cookies) {
    return {
      refreshBody: bodyOnly,
      checkObtain: () => {},
      refreshToken: (_req, body) => validateBody(bodyOnly, body).refresh,
      respond: (_req, issued) => ({ status: 200, body: issued }),
      clearHeaders: () => ({}),
    };
  }
  const withCookie = z.object({
    refresh: token
      .optional()
      .describe(`Optional: without it, the ${cookies.settings.refreshName} cookie is used.`),
  });
  return {
    refreshBody: withCookie,
    checkObtain: (req) => csrf.enforceOrigin(req),
    refreshToken(req, body) {
      const input = validateBody(withCookie, body);
      if (input.refresh !== undefined) return input.refresh;
      const fromCookie = cookies.refresh(req);
      if (fromCookie === null) return validateBody(bodyOnly, body).refresh;
      csrf.enforce(req);
      return fromCookie;
    },
    respond(req, issued) {
      const { refresh, ...rest } = issued;
      const body = cookies.settings.refreshInBody && refresh !== undefined ? issued : rest;
      return { status: 200, headers: { 'set-cookie': cookies.set(req, issued) }, body };
    },
    clearHeaders: (req) => ({ 'set-cookie': cookies.clear(req) }),
  };
}
