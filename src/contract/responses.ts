import type { RouteResponseDoc } from './types.js';

// Error answers a route declares for the OpenAPI document when its own shape does not imply them
// (contract/openapi.ts adds the rest: 400/413/415 for bodies, 401/403 from the schemes and the
// permission, 429 where Basic is accepted, 503 everywhere). A declared error without a body is
// documented with the {detail, code} body it is answered with.

/** A throttled route: DRF's 429 with Retry-After. */
export const THROTTLED: RouteResponseDoc = {
  description: 'Too many requests from this client (`throttled`): retry after `Retry-After` seconds.',
};

/**
 * A sensitive action (docs/mfa.md, step-up): the caller must have signed in recently
 * (`reauthentication_required`), besides the route's own refusals.
 */
export const STEP_UP: RouteResponseDoc = {
  description:
    'Needs a recent sign-in (`reauthentication_required`: sign in again), or not allowed for this credential.',
};

/** A route that checks CSRF itself (login, and the token endpoints with `jwt.cookie`). */
export const CSRF_FAILED: RouteResponseDoc = {
  description: 'CSRF failed (`csrf_origin`, `csrf_referer`, `csrf_missing`, `csrf_mismatch`).',
};
