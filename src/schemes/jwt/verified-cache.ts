import type { JwtPayload } from './payload.js';

interface Hit {
  payload: JwtPayload;
  /** ms: the token's `exp`, or the cache lifetime, whichever comes first. */
  until: number;
  /** The key that verified it: a key retired since is not trusted from the cache either. */
  retireAt: number | null;
}

/**
 * A bounded LRU of tokens whose signature checked out, keyed by the whole token string (so a
 * token with another signature never hits). fast-jwt has a cache of its own, but it keys it by
 * a SHA-2 of the token that costs more per request (~5 µs over HTTP) than an HS256 verify; a
 * Map lookup by the string costs well under a microsecond.
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #map = new Map<string, Hit>();

  constructor(max: number, ttlMs: number) {
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  get(token: string, now: number): JwtPayload | undefined {
    const hit = this.#map.get(token);
    if (!hit) return undefined;
    if (now >= hit.until || (hit.retireAt !== null && now >= hit.retireAt)) {
      this.#map.delete(token);
      return undefined;
    }
    // Most recently used last: eviction takes the first key.
    this.#map.delete(token);
    this.#map.set(token, hit);
    return hit.payload;
  }

  set(token: string, payload: JwtPayload, retireAt: number | null, now: number): void {
    if (this.#max === 0) return;
    const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
    const until = Math.min(exp, now + this.#ttlMs);
    if (until <= now) return;
    if (this.#map.size >= this.#max && !this.#map.has(token)) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(token, { payload, until, retireAt });
  }

  get size(): number {
    return this.#map.size;
  }
}
