import { randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
import { hash as argon2Hash, verify as argon2Verify, parseOptions } from '@node-rs/argon2';
import { PasswordTooLong } from '../../core/errors.js';
import { type CostClass, createCostClasses } from './cost-classes.js';
import { parseDjangoHash, verifyDjangoBcrypt, verifyPbkdf2 } from './django-hashes.js';
import { createHashLimiter, HashingBusy } from './hash-limiter.js';
import type { PasswordHasher, PasswordVerification } from './types.js';

// Both are in the error catalogue, src/core/errors.ts (codes `hashing_busy`, `password_too_long`).
export { HashingBusy, PasswordTooLong };

/**
 * What the hasher needs, as plain data: crypto sits below core, so it does not import core's zod
 * schema; `config.passwords` (core/settings/passwords.ts) has this shape.
 */
export interface PasswordHashingOptions {
  /** argon2id cost: memory in KiB, passes, lanes. OWASP: 19456, 2, 1. */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** Hashes (of any kind) allowed to run at once. */
  maxConcurrentHashes: number;
  /** Hashes allowed to wait for a slot; beyond that, HashingBusy. */
  maxQueuedHashes: number;
  /** Longest password accepted, in UTF-16 code units. */
  maxLength: number;
}

// The binding declares Algorithm as a const enum, which isolatedModules cannot read at runtime.
const ARGON2ID = 2 as Algorithm;
const ARGON2_VERSION_0x13 = 1;
/** Our own output: a 16-byte salt and a 32-byte tag; anything shorter gets rehashed. */
const OWN_SALT_BYTES = 16;
const OWN_TAG_BYTES = 32;
const MISS: PasswordVerification = { ok: false, needsRehash: false };

/**
 * Builds the password hasher once, at start-up: argon2id (PHC strings) for new hashes; argon2id
 * and Django's formats (pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt_sha256, bcrypt) verified. All
 * work runs off the event loop through one bounded limiter shared by hash, verify and dummyVerify.
 *
 * @example
 * const hasher = createPasswordHasher(config.passwords);
 * const stored = await hasher.hash('correct horse battery staple'); // '$argon2id$v=19$m=19456,t=2,p=1$…'
 * const { ok, needsRehash } = await hasher.verify(password, stored);
 * if (ok && needsRehash) await users.setPassword(user.id, await hasher.hash(password));
 */
export function createPasswordHasher(
  options: PasswordHashingOptions,
  onWait?: (seconds: number) => void,
): PasswordHasher {
  const { memoryCost, timeCost, parallelism } = options.argon2;
  checkInteger('argon2.parallelism', parallelism, 1, 255);
  // argon2 needs at least 8 KiB per lane.
  checkInteger('argon2.memoryCost', memoryCost, 8 * parallelism, 2 ** 32 - 1);
  checkInteger('argon2.timeCost', timeCost, 1, 2 ** 32 - 1);
  checkInteger('maxLength', options.maxLength, 1, Number.MAX_SAFE_INTEGER);
  const maxLength = options.maxLength;
  const limiter = createHashLimiter(options.maxConcurrentHashes, options.maxQueuedHashes, onWait);
  const argon2Options = { algorithm: ARGON2ID, memoryCost, timeCost, parallelism, outputLen: OWN_TAG_BYTES };
  // Ceilings for argon2 hashes read back from the store (ours under an older config, or Django's,
  // whose default was 100 MiB with 8 lanes): a corrupted row must not claim gigabytes.
  const ceiling = {
    memoryCost: Math.max(memoryCost, 262_144),
    timeCost: Math.max(timeCost, 16),
    parallelism: Math.max(parallelism, 16),
  };
  let dummy: Promise<string> | undefined;
  const classes = createCostClasses();

  function dummyHash(): Promise<string> {
    // Made on first use rather than at start-up, so building a hasher (in every test, in the CLI)
    // costs nothing; a failed attempt is forgotten so the next call tries again.
    dummy ??= argon2Hash(randomBytes(32).toString('base64url'), argon2Options).catch((err: unknown) => {
      dummy = undefined;
      throw err;
    });
    return dummy;
  }

  /**
   * Verifies an argon2 PHC string: null when its cost is beyond the ceilings, else whether it
   * matched and whether it is argon2id at least as strong as configured.
   */
  async function verifyArgon2(
    password: string,
    phc: string,
  ): Promise<[ok: boolean, current: boolean] | null> {
    const params = parseOptions(phc);
    if (
      params.memoryCost > ceiling.memoryCost ||
      params.timeCost > ceiling.timeCost ||
      params.parallelism > ceiling.parallelism
    ) {
      return null;
    }
    const ok = await argon2Verify(phc, password);
    const current =
      params.algorithm === ARGON2ID &&
      params.version === ARGON2_VERSION_0x13 &&
      params.memoryCost >= memoryCost &&
      params.timeCost >= timeCost &&
      params.outputLen >= OWN_TAG_BYTES &&
      params.saltLen >= OWN_SALT_BYTES;
    return [ok, current];
  }

  /**
   * Checks one hash inside a limiter slot, and says which class of work that was; null means
   * "no usable hash here".
   */
  async function check(password: string, encoded: string): Promise<[PasswordVerification, CostClass] | null> {
    if (encoded.startsWith('$argon2')) {
      const checked = await verifyArgon2(password, encoded);
      return checked && [{ ok: checked[0], needsRehash: checked[0] && !checked[1] }, 'argon2'];
    }
    const django = parseDjangoHash(encoded);
    if (!django) return null;
    let ok: boolean;
    classes.saw(django);
    if (django.kind === 'pbkdf2') ok = await verifyPbkdf2(password, django);
    else if (django.kind === 'bcrypt') ok = await verifyDjangoBcrypt(password, django);
    else {
      const checked = await verifyArgon2(password, django.phc);
      if (!checked) return null;
      [ok] = checked;
    }
    // Any Django format is upgraded to our own argon2id at the first successful login.
    return [{ ok, needsRehash: ok }, django.kind];
  }

  /** The check of one login: its own work, then a dummy of each other class (cost-classes.ts). */
  async function checkEvenly(password: string, encoded: unknown): Promise<PasswordVerification> {
    let checked: [PasswordVerification, CostClass] | null = null;
    if (typeof encoded === 'string') {
      try {
        checked = await check(password, encoded);
      } catch {
        // A garbled hash the native parsers reject: a miss, never a 500.
        checked = null;
      }
    }
    // Unusable (`!…`), empty, unknown or garbled: still spend an argon2 verify, as Django
    // does, so an account without a usable password cannot be told apart by timing.
    const [result, done] = checked ?? [MISS, 'argon2'];
    if (!checked || done !== 'argon2') await spendDummy(password);
    await classes.spendOthers(password, done);
    return result;
  }

  async function spendDummy(password: string): Promise<void> {
    try {
      await argon2Verify(await dummyHash(), password);
    } catch {
      // The dummy exists only to cost time; its outcome is irrelevant.
    }
  }

  return {
    async hash(password: string): Promise<string> {
      if (typeof password !== 'string') throw new TypeError('password must be a string');
      if (password.length > maxLength) throw new PasswordTooLong(maxLength);
      return limiter.run(() => argon2Hash(password, argon2Options));
    },

    async verify(password: string, encoded: string): Promise<PasswordVerification> {
      // Refused before any work: argon2 over a megabyte is exactly what an attacker would send.
      // dummyVerify refuses the same way, so this leaks nothing about the account.
      if (typeof password !== 'string' || password.length > maxLength) return MISS;
      return limiter.run(() => checkEvenly(password, encoded));
    },

    async dummyVerify(password: string): Promise<void> {
      if (typeof password !== 'string' || password.length > maxLength) return;
      await limiter.run(() => checkEvenly(password, null));
    },

    get queued() {
      return limiter.queued;
    },
  };
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`password hashing: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
