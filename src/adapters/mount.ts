import type { Gatehouse } from '../contract/gatehouse.js';
import { type RouteMatch, Router } from '../contract/router.js';
import type { HttpResponse } from '../contract/types.js';
import type { AuthRequest } from '../core/request.js';
import { methodNotAllowed } from '../edge/method-not-allowed.js';

/**
 * The contract's routes under a prefix, for adapters that route themselves (Express, Hono):
 * matches with and without the trailing slash, and answers 405 with Allow for a known path.
 *
 * @example
 * const mount = new ContractMount(gh, '/auth');
 * const m = mount.match('GET', '/auth/api/me');
 */
export class ContractMount {
  readonly prefix: string;
  private readonly router: Router;

  constructor(
    private readonly gh: Gatehouse,
    prefix = '',
  ) {
    this.prefix = normalisePrefix(prefix);
    this.router = new Router(gh.routes);
  }

  /** The match for a path, or null when the path is outside the prefix. */
  match(method: string, path: string): RouteMatch | null {
    let rest = path;
    if (this.prefix) {
      if (!path.startsWith(this.prefix)) return null;
      rest = path.slice(this.prefix.length);
      if (rest !== '' && !rest.startsWith('/')) return null;
    }
    return this.router.match(method, rest || '/');
  }

  /** DRF's 405 for a known path and another method, with Allow. */
  methodNotAllowed(req: AuthRequest, allowed: readonly string[]): HttpResponse {
    return methodNotAllowed(this.gh, req, allowed);
  }
}

/** `/auth/` and `auth` become `/auth`; `/` and '' become ''. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
