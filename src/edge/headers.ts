import { CREDENTIAL_HEADERS, HARDENING_HEADERS, HSTS } from '../contract/headers.js';
import type { HttpResponse } from '../contract/types.js';

export { CREDENTIAL_HEADERS } from '../contract/headers.js';

/** A header's value as node, Fastify and Express hand it back. */
export type HeaderValue = string | number | readonly string[] | undefined;

/**
 * Adds names to a Vary header value without dropping what is there (a CORS layer's `Origin`):
 * by default Cookie and Authorization, the headers a credential-dependent answer varies on.
 *
 * @example
 * mergeVary('Origin'); // 'Origin, Cookie, Authorization'
 */
export function mergeVary(existing: HeaderValue, add: string = CREDENTIAL_HEADERS.vary): string {
  const current =
    existing === undefined ? '' : Array.isArray(existing) ? existing.join(', ') : String(existing);
  if (!current) return add;
  if (current.trim() === '*') return '*';
  const names = current
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const seen = new Set(names.map((n) => n.toLowerCase()));
  for (const raw of add.split(',')) {
    const name = raw.trim();
    if (name && !seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      names.push(name);
    }
  }
  return names.join(', ');
}

/**
 * The headers a guard adds to an app's answer it let through, given the answer's current Vary.
 *
 * @example
 * reply.headers(credentialHeaders(reply.getHeader('vary')));
 */
export function credentialHeaders(existingVary: HeaderValue): { vary: string; 'cache-control': string } {
  return { vary: mergeVary(existingVary), 'cache-control': CREDENTIAL_HEADERS['cache-control'] };
}

/**
 * A response with the credential headers under its own: for the answers an adapter makes
 * itself (a refused guard, an error, a 405), which depend on the caller like any other.
 *
 * @example
 * send(withCredentialHeaders(gh.errorResponse(err, req)));
 */
export function withCredentialHeaders(res: HttpResponse): HttpResponse {
  return { ...res, headers: { ...CREDENTIAL_HEADERS, ...res.headers } };
}

const PLAIN_BASELINE: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': HARDENING_HEADERS['x-content-type-options']!,
});
const SECURE_BASELINE: Readonly<Record<string, string>> = Object.freeze({
  ...PLAIN_BASELINE,
  'strict-transport-security': HSTS,
});

/**
 * The baseline the standalone server gives its own routes (health checks, the schema, the
 * account page), which do not go through the contract: no content sniffing, and HSTS over HTTPS.
 * The caller sets only what the route has not set itself.
 *
 * @example
 * for (const [name, value] of Object.entries(serverBaseline(req.protocol === 'https'))) …
 */
export function serverBaseline(secure: boolean): Readonly<Record<string, string>> {
  return secure ? SECURE_BASELINE : PLAIN_BASELINE;
}
