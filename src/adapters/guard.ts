import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import type { SchemeName } from '../core/config.js';
import { isAuthenticated, type Permission } from '../core/permissions.js';
import type { Pipeline } from '../core/pipeline.js';
import type { AuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';

/**
 * What every response that depends on credentials carries, so no cache stores one caller's
 * answer or serves it to another (DESIGN: Vary and Cache-Control).
 */
export const CREDENTIAL_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  vary: 'Cookie, Authorization',
  'cache-control': 'no-store',
});

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
  // One pipeline per gatehouse, built on first use: the guard is made before the app has one.
  const pipelines = new WeakMap<Gatehouse, Pipeline>();
  return async (gh, req) => {
    let pipeline = pipelines.get(gh);
    if (!pipeline) {
      pipeline = gh.pipelineFor(schemes);
      pipelines.set(gh, pipeline);
    }
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
      const res = gh.errorResponse(err, req, pipeline);
      return { ok: false, response: { ...res, headers: { ...CREDENTIAL_HEADERS, ...res.headers } } };
    }
  };
}

/**
 * Adds names to a Vary header value without dropping what is there (a CORS layer's `Origin`):
 * by default Cookie and Authorization, the headers a credential-dependent answer varies on.
 */
export function mergeVary(
  existing: string | number | readonly string[] | undefined,
  add: string = CREDENTIAL_HEADERS.vary!,
): string {
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

/** The headers a guard adds to a request it lets through, given the response's current Vary. */
export function credentialHeaders(existingVary: string | number | readonly string[] | undefined): {
  vary: string;
  'cache-control': string;
} {
  return { vary: mergeVary(existingVary), 'cache-control': CREDENTIAL_HEADERS['cache-control']! };
}
