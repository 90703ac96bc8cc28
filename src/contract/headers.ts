import type { AuthRequest } from '../core/request.js';
import type { HttpResponse } from './types.js';

/**
 * What every answer that depends on the caller carries: no cache stores it, nor serves one
 * caller's answer to another (docs/architecture.md, "Headers"). Every answer of the contract
 * depends on the caller; so does an app route behind a guard.
 */
export const CREDENTIAL_HEADERS: Readonly<{ vary: string; 'cache-control': string }> = Object.freeze({
  vary: 'Cookie, Authorization',
  'cache-control': 'no-store',
});

/** Baseline hardening for a JSON API: no content sniffing, no referrer leaks, no framing. */
export const HARDENING_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "frame-ancestors 'none'",
});

/** Sent over HTTPS only: a browser remembers it, so a plain-HTTP deployment must never send it. */
export const HSTS = 'max-age=31536000; includeSubDomains';

const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...CREDENTIAL_HEADERS,
  ...HARDENING_HEADERS,
});

/**
 * Adds the baseline headers to a response of the contract (its own headers win), and HSTS when
 * the request came over HTTPS. For the responses made outside `dispatch` too (404, 405, 413),
 * so no answer of the contract goes out without them.
 *
 * @example
 * return withBaseHeaders({ status: 204 }, req);
 */
export function withBaseHeaders(res: HttpResponse, req: AuthRequest): HttpResponse {
  res.headers = req.secure
    ? { ...BASE_HEADERS, 'strict-transport-security': HSTS, ...res.headers }
    : { ...BASE_HEADERS, ...res.headers };
  return res;
}
