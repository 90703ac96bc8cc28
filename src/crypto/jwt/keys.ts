import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { JwtKeyError } from '../../core/errors.js';

// In the error catalogue, src/core/errors.ts (code `invalid_jwt_key`).
export { JwtKeyError };

/** Every JWS algorithm gatehouse signs and verifies with; `none` is not one of them. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** True for the HMAC algorithms (a shared secret signs and verifies). */
export function isHmac(alg: JwtAlgorithm): boolean {
  return alg.startsWith('HS');
}

/**
 * One key of a keyring, ready for fast-jwt: PEM text for asymmetric keys, the raw secret for
 * HMAC. Built at start-up; requests only read it.
 */
export interface JwtKeyMaterial {
  kid: string;
  alg: JwtAlgorithm;
  /** PKCS#8 PEM, or the HMAC secret; null when the key only verifies (a public key). */
  privateKey: string | Buffer | null;
  /** SPKI PEM, or the HMAC secret. */
  publicKey: string | Buffer;
  /** The public JWK to publish in a JWKS (with kid, alg, use); null for HMAC keys, never published. */
  publicJwk: JsonWebKey | null;
}

/** A key as config gives it: PEM text, a JWK (object or JSON text), or an HMAC secret. */
export type KeyInput = string | JsonWebKey;

const MIN_SECRET_BYTES = 32;
const CURVES: Record<string, JwtAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * An HMAC key from a secret. Its kid is derived from an HMAC of the secret, so a token header
 * names the key without revealing anything about it.
 *
 * @example
 * const key = hmacKey(config.secretKey, 'HS256'); // key.kid === 'hs-…'
 */
export function hmacKey(secret: string | Buffer, alg: JwtAlgorithm, kid?: string): JwtKeyMaterial {
  if (!isHmac(alg)) throw new JwtKeyError(`${alg} needs a key pair, not a shared secret`);
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new JwtKeyError(`an ${alg} secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  // A PEM or an asymmetric JWK used as an HMAC secret is the algorithm-confusion mistake: the
  // "secret" would be public.
  const text = bytes.toString('utf8').trim();
  if (text.includes('-----BEGIN') || /"kty"\s*:\s*"(RSA|EC|OKP)"/.test(text)) {
    throw new JwtKeyError(`an ${alg} secret must not be a public or private key (algorithm confusion)`);
  }
  const derived = createHmac('sha256', bytes).update('gatehouse jwt kid').digest('base64url').slice(0, 16);
  return { kid: kid ?? `hs-${derived}`, alg, privateKey: secret, publicKey: secret, publicJwk: null };
}

/**
 * Imports a key for `alg` from PEM (private or public), a JWK (object or JSON text) or, for
 * HS*, a secret or an `oct` JWK. Checks that the key fits the algorithm (RSA of 2048 bits or
 * more for RS and PS, the matching curve for ES, Ed25519/Ed448 for EdDSA). The kid is the JWK's
 * own, else its RFC 7638 thumbprint.
 *
 * @example
 * const key = importKey(readFileSync('jwt-private.pem', 'utf8'), 'ES256');
 */
export function importKey(input: KeyInput, alg?: JwtAlgorithm, kid?: string): JwtKeyMaterial {
  const jwk = asJwk(input);
  const declared = (jwk?.alg as JwtAlgorithm | undefined) ?? undefined;
  if (declared !== undefined && !(JWT_ALGORITHMS as readonly string[]).includes(declared)) {
    throw new JwtKeyError(`unsupported JWK alg ${JSON.stringify(declared)}`);
  }
  if (alg && declared && alg !== declared) {
    throw new JwtKeyError(`the key is for ${declared}, not ${alg}`);
  }
  const wanted = alg ?? declared;
  const keyId = kid ?? (typeof jwk?.kid === 'string' ? jwk.kid : undefined);
  if (jwk?.kty === 'oct') {
    if (typeof jwk.k !== 'string') throw new JwtKeyError('an oct JWK needs "k"');
    return hmacKey(Buffer.from(jwk.k, 'base64url'), wanted ?? 'HS256', keyId);
  }
  if (!jwk && typeof input === 'string' && !input.includes('-----BEGIN')) {
    return hmacKey(input, wanted ?? 'HS256', keyId);
  }
  if (wanted && isHmac(wanted)) {
    throw new JwtKeyError(
      `${wanted} takes a shared secret; a public or private key here is algorithm confusion`,
    );
  }
  const { privateKey, publicKey } = toKeyObjects(input, jwk);
  const inferred = algorithmFor(publicKey);
  const chosen = wanted ?? inferred;
  checkFits(publicKey, chosen);
  const publicJwk = publicKey.export({ format: 'jwk' });
  const id = keyId ?? jwkThumbprint(publicJwk);
  return {
    kid: id,
    alg: chosen,
    privateKey: privateKey ? (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) : null,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    publicJwk: { ...publicJwk, kid: id, alg: chosen, use: 'sig' },
  };
}

/** A private JWK as `generateJwk` makes it: always with kty, kid and alg. */
export type GeneratedJwk = JsonWebKey & { kty: string; kid: string; alg: JwtAlgorithm };

/**
 * A new key for `alg`: a P-256/P-384/P-521 pair for ES*, RSA-3072 for RS and PS, Ed25519 for
 * EdDSA, 64 random bytes for HS*. Returned as a private JWK with kid and alg.
 *
 * @example
 * const jwk = generateJwk('ES256'); // { kty: 'EC', crv: 'P-256', d: …, kid, alg: 'ES256' }
 */
export function generateJwk(alg: JwtAlgorithm): GeneratedJwk {
  if (isHmac(alg)) {
    const k = randomBytes(64).toString('base64url');
    const { kid } = hmacKey(Buffer.from(k, 'base64url'), alg);
    return { kty: 'oct', k, kid, alg, use: 'sig' };
  }
  const { privateKey, publicKey } = generatePair(alg);
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    ...jwk,
    kty: jwk.kty as string,
    kid: jwkThumbprint(publicKey.export({ format: 'jwk' })),
    alg,
    use: 'sig',
  };
}

function generatePair(alg: JwtAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  if (alg.startsWith('ES')) {
    const namedCurve = Object.keys(CURVES).find((c) => CURVES[c] === alg)!;
    return generateKeyPairSync('ec', { namedCurve });
  }
  return generateKeyPairSync('rsa', { modulusLength: 3072 });
}

/** RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: a stable kid for a key pair. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members: Record<string, readonly string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
    oct: ['k', 'kty'],
  };
  const names = members[jwk.kty ?? ''];
  if (!names) throw new JwtKeyError(`unsupported JWK kty ${JSON.stringify(jwk.kty)}`);
  const canonical: Record<string, unknown> = {};
  for (const name of names) canonical[name] = (jwk as Record<string, unknown>)[name];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

function asJwk(input: KeyInput): JsonWebKey | null {
  if (typeof input !== 'string') return input;
  const text = input.trim();
  if (!text.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as JsonWebKey).kty === 'string') {
      return parsed as JsonWebKey;
    }
  } catch {
    // Not JSON: a secret that happens to start with "{".
  }
  return null;
}

function toKeyObjects(
  input: KeyInput,
  jwk: JsonWebKey | null,
): { privateKey: KeyObject | null; publicKey: KeyObject } {
  try {
    if (jwk) {
      if (typeof jwk.d === 'string') {
        const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
        return { privateKey, publicKey: createPublicKey(privateKey) };
      }
      return { privateKey: null, publicKey: createPublicKey({ key: jwk, format: 'jwk' }) };
    }
    const pem = (input as string).trim();
    if (/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
      const privateKey = createPrivateKey(pem);
      return { privateKey, publicKey: createPublicKey(privateKey) };
    }
    return { privateKey: null, publicKey: createPublicKey(pem) };
  } catch (err) {
    throw new JwtKeyError(`cannot read the key: ${(err as Error).message}`);
  }
}

function algorithmFor(key: KeyObject): JwtAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ec': {
      const alg = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (alg) return alg;
      throw new JwtKeyError(`unsupported EC curve ${key.asymmetricKeyDetails?.namedCurve}`);
    }
    case 'ed25519':
    case 'ed448':
      return 'EdDSA';
    default:
      throw new JwtKeyError(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

function checkFits(key: KeyObject, alg: JwtAlgorithm): void {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa') throw new JwtKeyError(`${alg} needs an RSA key, got ${type}`);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new JwtKeyError(`${alg} needs an RSA key of 2048 bits or more, got ${bits}`);
  } else if (alg.startsWith('ES')) {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    if (type !== 'ec' || CURVES[curve] !== alg) {
      throw new JwtKeyError(`${alg} needs an EC key on its curve, got ${type} ${curve}`.trim());
    }
  } else if (alg === 'EdDSA') {
    if (type !== 'ed25519' && type !== 'ed448')
      throw new JwtKeyError(`EdDSA needs an Ed25519 or Ed448 key, got ${type}`);
  }
}
