import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a sealed value starts with: the format, so a later one can be told apart. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealer over a secret key and its fallbacks: seals with the first, opens with any. */
export interface SecretBox {
  seal(plain: string): string;
  /** The plain text, or null when no key opens it (tampered, or sealed with a key since dropped). */
  open(sealed: string): string | null;
}

/** A 256-bit AES key for `purpose`, derived from a secret key (HKDF-SHA256): one key per use. */
function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', `gatehouse.${purpose}`, 32));
}

/**
 * Encryption at rest for secrets the server must read back (TOTP seeds): AES-256-GCM under a
 * key derived from the secret key, so a copy of the database alone reveals nothing and a
 * change to a sealed value is detected. The fallbacks open what the previous keys sealed, so a
 * key rotation (secretKeyFallbacks) does not lock anyone out; it seals with the current key.
 *
 * @example
 * const box = createSecretBox([config.secretKey, ...config.secretKeyFallbacks], 'mfa.totp');
 * const stored = box.seal('JBSWY3DPEHPK3PXP');
 * box.open(stored); // 'JBSWY3DPEHPK3PXP'
 */
export function createSecretBox(secrets: readonly string[], purpose: string): SecretBox {
  if (secrets.length === 0) throw new RangeError('a secret box needs at least one secret key');
  const keys = secrets.map((s) => derive(s, purpose));
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys[0]!, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url'));
      return `${VERSION}.${parts.join('.')}`;
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || iv === undefined || body === undefined || tag === undefined) return null;
      const ivBytes = Buffer.from(iv, 'base64url');
      const tagBytes = Buffer.from(tag, 'base64url');
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) return null;
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, ivBytes);
          decipher.setAuthTag(tagBytes);
          return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
            'utf8',
          );
        } catch {
          // Not this key (or tampered): the tag did not verify.
        }
      }
      return null;
    },
  };
}
