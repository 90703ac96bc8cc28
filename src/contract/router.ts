import type { BoundRoute } from './dispatch.js';

export type RouteMatch =
  | { kind: 'found'; bound: BoundRoute; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

interface Compiled {
  bound: BoundRoute;
  parts: string[];
}

/**
 * A small router over the contract's routes, for adapters without a router of their own (and
 * for tests). Paths match with or without the trailing slash; `:name` segments become params.
 */
export class Router {
  private readonly compiled: Compiled[];
  constructor(routes: readonly BoundRoute[]) {
    this.compiled = routes.map((bound) => ({ bound, parts: split(bound.route.path) }));
  }

  match(method: string, path: string): RouteMatch {
    const parts = split(path);
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const params = matchParts(c.parts, parts);
      if (!params) continue;
      if (c.bound.route.method === method || (method === 'HEAD' && c.bound.route.method === 'GET')) {
        return { kind: 'found', bound: c.bound, params };
      }
      allowed.push(c.bound.route.method);
    }
    return allowed.length ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
  }
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function matchParts(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(a);
      } catch {
        return null;
      }
    } else if (p !== a) return null;
  }
  return params;
}
