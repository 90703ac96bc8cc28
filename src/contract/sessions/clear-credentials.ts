import type { AuthRequest } from '../../core/request.js';
import type { Services } from '../../services/types.js';

/**
 * The headers that remove every browser credential gatehouse sets (the session cookie, the JWT
 * cookies), for the responses that end them: logout and logout-everywhere. Empty when none is
 * configured.
 *
 * @example
 * return { status: 204, headers: clearCredentialHeaders(services, req) };
 */
export function clearCredentialHeaders(
  { schemes, sessions, jwtCookies }: Pick<Services, 'schemes' | 'sessions' | 'jwtCookies'>,
  req: AuthRequest,
): Record<string, string[]> {
  const cookies: string[] = [];
  if (schemes.session) cookies.push(sessions.clearCookie(req));
  if (jwtCookies) cookies.push(...jwtCookies.clear(req));
  return cookies.length ? { 'set-cookie': cookies } : {};
}
