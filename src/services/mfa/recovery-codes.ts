import { randomInt } from 'node:crypto';
import { sha256Hex } from '../../crypto/random.js';

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** Lower-case letters and digits without the look-alikes (0/o, 1/l/i): 31 symbols, ~5 bits each. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const HALF = 5;

/** One code: `xxxxx-xxxxx`, ~49 random bits, easy to read out and type. */
function newCode(): string {
  const pick = () => Array.from({ length: HALF }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${pick()}-${pick()}`;
}

/** The form a code is stored and looked up in: case, spaces and dashes do not matter. */
export function recoveryCodeDigest(code: string): string {
  return sha256Hex(`gatehouse.recovery:${code.toLowerCase().replace(/[\s-]/g, '')}`);
}

/**
 * A new set of recovery codes: the codes to show once, and their digests to store (the codes
 * themselves are never stored).
 *
 * @example
 * const { codes, digests } = newRecoveryCodes();
 */
export function newRecoveryCodes(): { codes: string[]; digests: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  return { codes, digests: codes.map(recoveryCodeDigest) };
}
