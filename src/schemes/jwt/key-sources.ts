import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatehouseConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { readKeysFile, retireAtMs } from '../../crypto/jwt/jwks-file.js';
import {
  hmacKey,
  importKey,
  isHmac,
  type JwtAlgorithm,
  JwtKeyError,
  type JwtKeyMaterial,
  type KeyInput,
} from '../../crypto/jwt/keys.js';

/** A key of the keyring and, for a rotated-away key, when it stops verifying. */
export interface SourcedKey {
  material: JwtKeyMaterial;
  /** ms; null: verifies for as long as it is configured. */
  retireAt: number | null;
}

/** Every local key gatehouse verifies with, and the one that signs (null for a verify-only service). */
export interface KeySources {
  signer: JwtKeyMaterial | null;
  keys: SourcedKey[];
}

/**
 * Collects the keys from config, once, at start-up: the configured key (the secret key for HS*,
 * with its fallbacks verifying), `verifyingKeys`, and the keys file. The keys file's current key
 * signs when there is one; otherwise the configured key does. A wrong key fails here, with the
 * config key it came from named.
 */
export function collectKeys(config: GatehouseConfig): KeySources {
  const jwt = config.jwt;
  const keys: SourcedKey[] = [];
  let signer: JwtKeyMaterial | null = null;
  const add = (material: JwtKeyMaterial, retireAt: number | null = null) => {
    const same = keys.find((k) => k.material.kid === material.kid);
    if (same) {
      if (String(same.material.publicKey) !== String(material.publicKey)) {
        throw new ConfigError([
          { path: 'jwt', message: `two different keys share the kid "${material.kid}"` },
        ]);
      }
      return;
    }
    keys.push({ material, retireAt });
  };

  const signing = jwt.signingKey ?? readKeyFile(jwt.signingKeyFile, 'jwt.signingKeyFile');
  const verifying = jwt.verifyingKey ?? readKeyFile(jwt.verifyingKeyFile, 'jwt.verifyingKeyFile');
  if (signing !== undefined) {
    signer = load(() => importKey(signing, jwt.algorithm), 'jwt.signingKey');
    if (signer.privateKey === null) {
      throw new ConfigError([
        {
          path: 'jwt.signingKey',
          message: 'expected a private key (or an HMAC secret); put a public key in jwt.verifyingKey',
        },
      ]);
    }
    if (verifying !== undefined && !isHmac(jwt.algorithm)) {
      const pub = load(() => importKey(verifying, jwt.algorithm, signer!.kid), 'jwt.verifyingKey');
      if (pub.publicKey !== signer.publicKey) {
        throw new ConfigError([
          { path: 'jwt.verifyingKey', message: 'is not the public half of jwt.signingKey' },
        ]);
      }
    }
    add(signer);
  } else if (verifying !== undefined) {
    add(load(() => importKey(verifying, jwt.algorithm), 'jwt.verifyingKey'));
  } else if (isHmac(jwt.algorithm)) {
    signer = load(() => hmacKey(config.secretKey, jwt.algorithm), 'secretKey');
    add(signer);
    for (const old of config.secretKeyFallbacks) {
      add(load(() => hmacKey(old, jwt.algorithm), 'secretKeyFallbacks'));
    }
  }

  jwt.verifyingKeys.forEach((entry, i) => {
    const where = `jwt.verifyingKeys.${i}`;
    const wrapped = isWrapped(entry) ? entry : null;
    const input: KeyInput = wrapped ? wrapped.key : (entry as KeyInput);
    const alg = wrapped?.alg ?? declaredAlg(input) ?? jwt.algorithm;
    add(load(() => importKey(input, alg, wrapped?.kid), where));
  });

  if (jwt.keysFile) {
    const path = resolve(jwt.keysFile);
    const file = load(() => readKeysFile(path), 'jwt.keysFile');
    for (const stored of file?.keys ?? []) {
      const { kid, alg, createdAt: _c, retireAt: _r, ...jwk } = stored;
      const material = load(() => importKey(jwk, alg, kid), `jwt.keysFile (${kid})`);
      add(material, retireAtMs(stored));
      if (kid === file?.current) signer = material;
    }
  }

  if (!keys.length && !jwt.jwksUrl) {
    throw new ConfigError([
      {
        path: 'jwt',
        message: `${jwt.algorithm} needs a key: set jwt.signingKey (PEM or JWK) or jwt.keysFile, or run \`gatehouse keys generate --alg ${jwt.algorithm}\``,
      },
    ]);
  }
  return { signer, keys };
}

interface WrappedKey {
  key: KeyInput;
  alg?: JwtAlgorithm | undefined;
  kid?: string | undefined;
}

/** `{ key, alg?, kid? }`, as opposed to a bare JWK (which has `kty`, never `key`). */
function isWrapped(entry: unknown): entry is WrappedKey {
  return typeof entry === 'object' && entry !== null && 'key' in entry && !('kty' in entry);
}

function declaredAlg(input: KeyInput): JwtKeyMaterial['alg'] | undefined {
  if (typeof input === 'object') return input.alg as JwtKeyMaterial['alg'] | undefined;
  return undefined;
}

function readKeyFile(path: string | undefined, where: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: where, message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
}

function load<T>(make: () => T, where: string): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof JwtKeyError) throw new ConfigError([{ path: where, message: err.message }]);
    throw err;
  }
}
