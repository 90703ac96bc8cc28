import { ServiceUnavailable } from '../../core/errors.js';
import { fetchJwks } from '../../crypto/jwt/jwks-remote.js';
import type { JwtKeyMaterial } from '../../crypto/jwt/keys.js';
import { FetchBudget } from './fetch-budget.js';

export interface RemoteKeySetOptions {
  url: string;
  /** How long a fetched set is used before it is fetched again (ms): `jwt.jwksCacheLifetime`. */
  ttlMs: number;
  /** After a failed fetch, how long the keys held are used before a stale set is fetched again (ms): `jwt.jwksCooldown`. */
  retryMs: number;
  /** Fetches caused by kids the set lacks, at most, in any minute: `jwt.jwksFetchesPerMinute`. */
  fetchesPerMinute: number;
  now(): number;
  /** Told about a failed fetch (the keys held, if any, stay in use). */
  onError?(err: unknown): void;
}

/** Another issuer's published keys (`jwt.jwksUrl`), cached, fetched again when stale or when a token names a new kid. */
export interface RemoteKeySet {
  /**
   * The key with this kid, or null when the set lacks it (fetched at once for a kid it lacks, within
   * the fetch budget). Throws `ServiceUnavailable` when the kid is not held and the set could not
   * be fetched: whether the key exists cannot be told, so the token is neither accepted nor
   * called invalid.
   */
  key(kid: string): Promise<JwtKeyMaterial | null>;
  /** The set's keys for an algorithm (for a token without a kid); throws as `key` does when there are none and the set could not be fetched. */
  keysFor(alg: string): Promise<JwtKeyMaterial[]>;
}

const MINUTE = 60_000;

/**
 * The remote key set of `jwt.jwksUrl`. A token naming a kid the cached set lacks (the issuer
 * rotated to a new key) makes it fetch at once rather than refuse the token until the cache
 * expires; since anyone can mint such tokens, those fetches are bounded by one budget across all
 * kids (`fetchesPerMinute`), and lookups arriving while a fetch is in flight share it. The
 * scheduled refresh (every `ttlMs`, retried `retryMs` after a failure) is not taken from the
 * budget, so a client spraying kids cannot keep a key the issuer has removed in use by using the
 * budget up. A failed fetch keeps the keys already held (serve stale).
 *
 * @example
 * const set = remoteKeySet({ url, ttlMs: 600_000, retryMs: 30_000, fetchesPerMinute: 10, now: () => clock.now() });
 * const key = await set.key(header.kid);
 */
export function remoteKeySet(opts: RemoteKeySetOptions): RemoteKeySet {
  const budget = new FetchBudget(opts.fetchesPerMinute, MINUTE, opts.now);
  let keys = new Map<string, JwtKeyMaterial>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  /** When the last fetch failed; null once one succeeds (the set held is then the issuer's latest known). */
  let failedAt: number | null = null;
  let inflight: Promise<void> | null = null;

  const load = async (): Promise<void> => {
    try {
      keys = await fetchJwks(opts.url);
      fetchedAt = opts.now();
      failedAt = null;
    } catch (err) {
      failedAt = opts.now();
      opts.onError?.(err);
    }
  };

  /** A fetch, or the one in flight; null when a budgeted fetch has no budget left. */
  const fetchOnce = (budgeted: boolean): Promise<void> | null => {
    if (inflight) return inflight;
    if (budgeted && !budget.take()) return null;
    inflight = load().finally(() => {
      inflight = null;
    });
    return inflight;
  };

  /** Brings a stale set up to date; true when this call waited for a fetch. */
  const current = async (): Promise<boolean> => {
    if (inflight) {
      await inflight;
      return true;
    }
    const now = opts.now();
    const stale = now - fetchedAt > opts.ttlMs;
    const backingOff = failedAt !== null && now - failedAt < opts.retryMs;
    if (!stale || backingOff) return false;
    await fetchOnce(false);
    return true;
  };

  const unavailable = () =>
    new ServiceUnavailable('The key set of the token issuer could not be fetched; try again later.');

  return {
    async key(kid) {
      const waited = await current();
      const held = keys.get(kid);
      if (held) return held;
      if (!waited) {
        const pending = fetchOnce(true);
        if (pending) await pending;
        const fetched = keys.get(kid);
        if (fetched) return fetched;
      }
      if (failedAt !== null) throw unavailable();
      return null;
    },
    async keysFor(alg) {
      await current();
      const found = [...keys.values()].filter((k) => k.alg === alg);
      if (!found.length && failedAt !== null) throw unavailable();
      return found;
    },
  };
}
