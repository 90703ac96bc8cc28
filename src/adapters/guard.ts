import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import type { SchemeName } from '../core/config.js';
import { isAuthenticated, type Permission } from '../core/permissions.js';
import type { AuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import { withCredentialHeaders } from '../edge/headers.js';

/** The outcome of a guard: who is calling, or the response that refuses the request. */
export type GuardOutcome = { ok: true; auth: AuthResult | null } | { ok: false; response: HttpResponse };

/** A guard bound to its permission and schemes; run per request with the app's gatehouse. */
export type Guard = (gh: Gatehouse, req: AuthRequest) => Promise<GuardOutcome>;

/**
 * The framework-neutral half of every adapter's `requireAuth()`/`authenticate()`: authenticate
 * with the route's schemes (DRF's per-view authentication_classes), then, when a permission is
 * given, require an authenticated caller who has it. Errors go through `gh.errorResponse`, so the
 * 401/403 rule and the challenge are the contract's own.
 *
 * @example
 * const guard = createGuard(isAdmin, ['token']);
 * const outcome = await guard(gh, req);
 */
export function createGuard(permission: Permission | null, schemes?: readonly SchemeName[]): Guard {
  return async (gh, req) => {
    // The guard is made before the app has a gatehouse; the services keep one pipeline per list.
    const pipeline = gh.pipelineFor(schemes);
    try {
      const auth = await pipeline.authenticate(req);
      if (permission) {
        // A guarded handler may rely on a user: anonymous callers are refused whatever the
        // permission (DRF's IsAuthenticated first), so the adapters' types can say "not null".
        await pipeline.enforce(req, auth, isAuthenticated);
        if (permission !== isAuthenticated) await pipeline.enforce(req, auth, permission);
      }
      return { ok: true, auth };
    } catch (err) {
      return { ok: false, response: withCredentialHeaders(gh.errorResponse(err, req, pipeline)) };
    }
  };
}
