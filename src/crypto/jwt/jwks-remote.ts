import type { JsonWebKey } from 'node:crypto';
import { importKey, type JwtKeyMaterial } from './keys.js';

export interface FetchJwksOptions {
  /** Per-fetch timeout (ms); default 5 s. */
  timeoutMs?: number;
  /** Largest JWKS document accepted (bytes); default 256 KiB. */
  maxBytes?: number;
}

const MAX_KEYS = 100;

/**
 * Fetches another service's published keys (simplejwt's JWK_URL) once and returns the usable
 * ones by kid; throws when the URL cannot be read or is not a JWKS. Only public signature keys are
 * taken: an `oct` key from a URL would let whoever serves the URL mint tokens with a shared
 * secret, so symmetric keys are ignored. Caching and when to fetch again are the caller's
 * (`src/schemes/jwt/remote-key-set.ts`).
 *
 * @example
 * const keys = await fetchJwks('https://auth.example/.well-known/jwks.json');
 * const key = keys.get(header.kid);
 */
export async function fetchJwks(
  url: string,
  opts: FetchJwksOptions = {},
): Promise<Map<string, JwtKeyMaterial>> {
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
  });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    throw new Error(`the JWKS at ${url} is over ${maxBytes} bytes`);
  }
  const text = await res.text();
  if (text.length > maxBytes) throw new Error(`the JWKS at ${url} is over ${maxBytes} bytes`);
  return parseJwks(JSON.parse(text) as unknown);
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
