import type { JsonWebKey } from 'node:crypto';
import { importKey, type JwtKeyMaterial } from './keys.js';

export interface RemoteJwksOptions {
  url: string;
  /** How long a fetched set is used before it is fetched again (ms). */
  ttlMs: number;
  /** The least time between two fetches triggered by unknown kids (ms): bounds what a client can cause. */
  cooldownMs: number;
  /** Per-fetch timeout (ms). */
  timeoutMs?: number;
  /** Largest JWKS document accepted (bytes). */
  maxBytes?: number;
  now(): number;
  /** For tests; default: the global fetch. */
  fetch?: typeof fetch;
  /** Told about a failed fetch (the cached keys, if any, stay in use). */
  onError?(err: unknown): void;
}

/** A remote JWKS, cached; refreshed when stale or when a token names a kid it does not hold. */
export interface RemoteJwks {
  /** The public key with this kid, or null when the set (even freshly fetched) does not have it. */
  get(kid: string): Promise<JwtKeyMaterial | null>;
}

const MAX_KEYS = 100;

/**
 * Verifies tokens issued by another service from its published keys (simplejwt's JWK_URL).
 * Only public signature keys are taken: an `oct` key from a URL would let whoever serves the URL
 * mint tokens with a shared secret, so symmetric keys are ignored. A failed fetch keeps the keys
 * already held (serve stale) and is retried after the cooldown.
 *
 * @example
 * const jwks = remoteJwks({ url: 'https://auth.example/.well-known/jwks.json', ttlMs: 600_000, cooldownMs: 30_000, now: Date.now });
 * const key = await jwks.get(header.kid);
 */
export function remoteJwks(opts: RemoteJwksOptions): RemoteJwks {
  const doFetch = opts.fetch ?? fetch;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  let keys = new Map<string, JwtKeyMaterial>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | null = null;

  async function load(): Promise<void> {
    attemptedAt = opts.now();
    try {
      const res = await doFetch(opts.url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
      if (!res.ok) throw new Error(`GET ${opts.url} answered ${res.status}`);
      if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
        throw new Error(`the JWKS at ${opts.url} is over ${maxBytes} bytes`);
      }
      const text = await res.text();
      if (text.length > maxBytes) throw new Error(`the JWKS at ${opts.url} is over ${maxBytes} bytes`);
      keys = parseJwks(JSON.parse(text) as unknown);
      fetchedAt = opts.now();
    } catch (err) {
      opts.onError?.(err);
    }
  }

  function refresh(): Promise<void> {
    // One fetch at a time: concurrent requests with a new kid share it.
    if (!inflight) inflight = load().finally(() => (inflight = null));
    return inflight;
  }

  return {
    async get(kid) {
      const now = opts.now();
      if (now - fetchedAt > opts.ttlMs && now - attemptedAt >= opts.cooldownMs) await refresh();
      else if (inflight) await inflight;
      const hit = keys.get(kid);
      if (hit) return hit;
      if (opts.now() - attemptedAt >= opts.cooldownMs) {
        await refresh();
        return keys.get(kid) ?? null;
      }
      return null;
    },
  };
}

/** The usable signature keys of a JWKS document, by kid. */
export function parseJwks(doc: unknown): Map<string, JwtKeyMaterial> {
  const out = new Map<string, JwtKeyMaterial>();
  const list = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('not a JWKS document (no "keys" array)');
  for (const raw of list.slice(0, MAX_KEYS)) {
    const jwk = raw as JsonWebKey;
    if (!jwk || typeof jwk !== 'object' || typeof jwk.kid !== 'string') continue;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    try {
      // Only the public members: a JWKS that leaks `d` must not turn us into a signer.
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
      const key = importKey(pub, undefined, jwk.kid);
      out.set(key.kid, key);
    } catch {
      // An unusable key (unknown curve, short RSA) is skipped, not fatal for the others.
    }
  }
  return out;
}
