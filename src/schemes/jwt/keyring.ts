import type { JsonWebKey } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { Context } from '../../core/context.js';
import { TokenNotValid } from '../../core/errors.js';
import type { JwtAlgorithm, JwtKeyMaterial } from '../../crypto/jwt/keys.js';
import { collectKeys } from './key-sources.js';
import type { JwtPayload } from './payload.js';
import { remoteKeySet } from './remote-key-set.js';
import { VerifiedTokenCache } from './verified-cache.js';

export type { JwtPayload };

/** The key that signs new tokens. */
export interface JwtSigner {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  sign(payload: JwtPayload): string;
}

interface Entry {
  kid: string;
  alg: JwtAlgorithm;
  retireAt: number | null;
  verify(token: string): JwtPayload;
}

/**
 * Every key, with its signer and verifier built once: one fast-jwt verifier per kid, pinned to
 * that key's algorithm. A token picks its verifier by the `kid` in its header; an unknown kid,
 * an `alg` that is not the key's own (algorithm confusion, `none`), or a retired key is refused
 * before any signature is checked.
 */
export interface Keyring {
  /** null for a verify-only service (only a public key or a JWKS URL configured). */
  readonly signer: JwtSigner | null;
  /**
   * Checks the signature, `aud` and `iss` (expiry is the caller's, against the context's clock).
   * Returns the payload, frozen (a verified-token cache may hand the same object out again).
   */
  verify(token: string, now: number): JwtPayload | Promise<JwtPayload>;
  /** The public keys to publish at /.well-known/jwks.json (asymmetric keys only). */
  publicJwks(now: number): JsonWebKey[];
}

const INVALID = 'Token is invalid or expired';
const AMBIGUOUS = 'Token has no kid, and the key set of its issuer holds several keys of its algorithm';
const MAX_HEADER = 2048;

/**
 * Builds the keyring from the config, once, at start-up.
 *
 * @example
 * const keyring = buildKeyring(ctx);
 * const payload = await keyring.verify(token, ctx.clock.now());
 */
export function buildKeyring(ctx: Context): Keyring {
  const { jwt } = ctx.config;
  const { signer: signerKey, keys } = collectKeys(ctx.config);
  const makeVerifier = verifierFactory(ctx);
  const byKid = new Map<string, Entry>();
  const byHeader = new Map<string, Entry>();
  const byAlg = new Map<string, Entry[]>();
  // The signer is tried first for a token without a kid (simplejwt mints none).
  const ordered = [...keys].sort(
    (a, b) => Number(b.material === signerKey) - Number(a.material === signerKey),
  );
  for (const { material, retireAt } of ordered) {
    const entry: Entry = { kid: material.kid, alg: material.alg, retireAt, verify: makeVerifier(material) };
    byKid.set(entry.kid, entry);
    byHeader.set(headerSegment(entry.alg, entry.kid), entry);
    byAlg.set(entry.alg, [...(byAlg.get(entry.alg) ?? []), entry]);
  }

  const remote = jwt.jwksUrl
    ? remoteKeySet({
        url: jwt.jwksUrl,
        ttlMs: jwt.jwksCacheLifetime * 1000,
        retryMs: jwt.jwksCooldown * 1000,
        fetchesPerMinute: jwt.jwksFetchesPerMinute,
        now: () => ctx.clock.now(),
        onError: (err) => ctx.logger.warn({ err, url: jwt.jwksUrl }, 'JWKS fetch failed'),
      })
    : null;
  // Verifiers for remote keys, built once per fetched key object.
  const remoteVerifiers = new WeakMap<JwtKeyMaterial, Entry>();

  // A signature check costs ~70 µs for ES256 and ~2 µs for HS256, a cache hit well under 1 µs.
  // Expiry is re-checked on each use by the caller.
  const cache =
    jwt.verifiedTokenCache > 0
      ? new VerifiedTokenCache(jwt.verifiedTokenCache, Math.min(jwt.accessTokenLifetime, 600) * 1000)
      : null;

  const check = (entry: Entry, alg: unknown, token: string, now: number): JwtPayload => {
    if (entry.alg !== alg) throw new TokenNotValid(INVALID);
    if (entry.retireAt !== null && now >= entry.retireAt) throw new TokenNotValid(INVALID);
    let payload: JwtPayload;
    try {
      payload = Object.freeze(entry.verify(token));
    } catch {
      throw new TokenNotValid(INVALID);
    }
    cache?.set(token, payload, entry.retireAt, now);
    return payload;
  };

  const remoteEntry = (material: JwtKeyMaterial): Entry => {
    let entry = remoteVerifiers.get(material);
    if (!entry) {
      entry = { kid: material.kid, alg: material.alg, retireAt: null, verify: makeVerifier(material) };
      remoteVerifiers.set(material, entry);
    }
    return entry;
  };

  const verifyRemote = async (kid: string, alg: unknown, token: string, now: number) => {
    const material = await remote!.key(kid);
    if (!material) throw new TokenNotValid(INVALID);
    return check(remoteEntry(material), alg, token, now);
  };

  // A token without a kid (simplejwt never writes one) is verified by the issuer's key only when
  // its set holds exactly one key of the token's algorithm. Trying several is not done: the set
  // is another party's, up to 100 keys, so a forged kid-less token would cost up to 100 signature
  // checks; and an issuer publishing several keys names the signer in `kid` anyway.
  const verifyRemoteKidless = async (alg: string, token: string, now: number) => {
    const candidates = await remote!.keysFor(alg);
    if (candidates.length > 1) throw new TokenNotValid(AMBIGUOUS);
    if (!candidates.length) throw new TokenNotValid(INVALID);
    return check(remoteEntry(candidates[0]!), alg, token, now);
  };

  return {
    signer: signerKey ? makeSigner(signerKey) : null,
    verify(token, now) {
      const cached = cache?.get(token, now);
      if (cached) return cached;
      const dot = token.indexOf('.');
      if (dot <= 0 || dot > MAX_HEADER) throw new TokenNotValid(INVALID);
      const segment = token.slice(0, dot);
      // Fast path: the exact header our own signers emit.
      const known = byHeader.get(segment);
      if (known) return check(known, known.alg, token, now);
      const header = decodeHeader(segment);
      if (!header) throw new TokenNotValid(INVALID);
      if (header.kid !== undefined) {
        const entry = byKid.get(header.kid);
        if (entry) return check(entry, header.alg, token, now);
        if (remote) return verifyRemote(header.kid, header.alg, token, now);
        throw new TokenNotValid(INVALID);
      }
      // No kid (tokens simplejwt minted): the local keys of that algorithm, signer first (a few,
      // all configured here), then the issuer's at jwksUrl.
      for (const entry of byAlg.get(header.alg) ?? []) {
        try {
          return check(entry, header.alg, token, now);
        } catch {
          // try the next key
        }
      }
      if (remote) return verifyRemoteKidless(header.alg, token, now);
      throw new TokenNotValid(INVALID);
    },
    publicJwks(now) {
      const out: JsonWebKey[] = [];
      for (const { material, retireAt } of ordered) {
        if (material.publicJwk && (retireAt === null || now < retireAt)) out.push(material.publicJwk);
      }
      return out;
    },
  };
}

function verifierFactory(ctx: Context): (material: JwtKeyMaterial) => (token: string) => JwtPayload {
  const { jwt } = ctx.config;
  const required = [...(jwt.audience ? ['aud'] : []), ...(jwt.issuer ? ['iss'] : [])];
  return (material) =>
    createVerifier({
      key: material.publicKey,
      algorithms: [material.alg],
      // Expiry and not-before are checked by the caller against the context's clock (tests move it).
      ignoreExpiration: true,
      ignoreNotBefore: true,
      ...(jwt.audience ? { allowedAud: jwt.audience } : {}),
      ...(jwt.issuer ? { allowedIss: jwt.issuer } : {}),
      requiredClaims: required,
      // The keyring caches verified tokens itself (VerifiedTokenCache).
      cache: false,
    }) as (token: string) => JwtPayload;
}

function makeSigner(material: JwtKeyMaterial): JwtSigner {
  const sign = createSigner({
    key: material.privateKey as string | Buffer,
    algorithm: material.alg,
    kid: material.kid,
  });
  return { kid: material.kid, alg: material.alg, sign: (payload) => sign(payload) };
}

/** The header segment fast-jwt writes for a key: `{"alg","typ":"JWT","kid"}`, base64url. */
function headerSegment(alg: JwtAlgorithm, kid: string): string {
  return Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid })).toString('base64url');
}

function decodeHeader(segment: string): { alg: string; kid?: string } | null {
  try {
    const header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (!header || typeof header !== 'object') return null;
    const { alg, kid } = header as { alg?: unknown; kid?: unknown };
    if (typeof alg !== 'string' || (kid !== undefined && typeof kid !== 'string')) return null;
    return kid === undefined ? { alg } : { alg, kid };
  } catch {
    return null;
  }
}
