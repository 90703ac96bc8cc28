import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A secret from the CSPRNG, base64url (no padding). 32 bytes = 256 bits by default.
 *
 * @example
 * const sessionKey = randomSecret(); // 43 characters
 */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A short random public id (for URLs and lists; not a secret). */
export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 as lower-case hex: how session keys and API keys are stored. The one-shot `hash` costs
 * less than half of a `createHash` object (it runs on every token and session request).
 */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/**
 * Constant-time string comparison. Lengths leak (as they must), contents do not: both sides are
 * compared in full.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}
