import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import { MethodNotAllowed } from '../core/errors.js';
import type { AuthRequest } from '../core/request.js';
import { withCredentialHeaders } from './headers.js';

/**
 * The Allow header for a path served with `methods`: each once, and HEAD wherever GET is (the
 * adapters answer HEAD with the GET route).
 *
 * @example
 * allowHeader(['GET', 'DELETE']); // 'GET, DELETE, HEAD'
 */
export function allowHeader(methods: readonly string[]): string {
  return [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)].join(', ');
}

/**
 * DRF's 405 for a known path and a method it does not take, with Allow: the frameworks would
 * answer 404, which tells a client the path is wrong rather than the method.
 *
 * @example
 * if (m.kind === 'method_not_allowed') return send(methodNotAllowed(gh, req, m.allowed));
 */
export function methodNotAllowed(gh: Gatehouse, req: AuthRequest, methods: readonly string[]): HttpResponse {
  const res = withCredentialHeaders(gh.errorResponse(new MethodNotAllowed(req.method), req));
  return { ...res, headers: { ...res.headers, allow: allowHeader(methods) } };
}
