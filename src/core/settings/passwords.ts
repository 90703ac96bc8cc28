import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * One core is left to the event loop: with every core hashing, requests that need no password
 * waited behind the login storm (measured on 2 cores: /api/me/ p99 63 ms with 4 hashes at once,
 * 17.5 ms with 1, and logins stayed above 70/s).
 */
const DEFAULT_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

/** Password hashing and validation (Django's PASSWORD_HASHERS and AUTH_PASSWORD_VALIDATORS). */
export const passwordSettings = z
  .object({
    /** argon2id parameters; the defaults are OWASP's (19 MiB, t=2, p=1). */
    argon2: z
      .object({
        memoryCost: z.number().int().min(1024).default(19456),
        timeCost: z.number().int().min(1).default(2),
        parallelism: z.number().int().min(1).default(1),
      })
      .strict()
      .default({ memoryCost: 19456, timeCost: 2, parallelism: 1 }),
    /** Hashes allowed to run at once; more wait in a bounded queue, then get 503. */
    maxConcurrentHashes: z.number().int().min(1).default(DEFAULT_CONCURRENT_HASHES),
    /** Hashes allowed to wait for a slot before new ones are refused. */
    maxQueuedHashes: z.number().int().min(0).default(64),
    /** Longest password accepted (characters); bounds the cost of hashing hostile input. */
    maxLength: z.number().int().min(8).max(4096).default(1024),
    /**
     * A password change (POST /api/auth/password/) ends every other session, API token and
     * refresh family of the user, so whoever knew the old password is signed out everywhere.
     */
    endCredentialsOnChange: z.boolean().default(true),
    validators: z
      .object({
        minLength: z.number().int().min(0).default(8),
        common: z.boolean().default(true),
        numeric: z.boolean().default(true),
        similarity: z.boolean().default(true),
      })
      .strict()
      .default({ minLength: 8, common: true, numeric: true, similarity: true }),
  })
  .strict()
  // The validators also get the hashing limit, so a password over it is a 400 field error where
  // passwords are set (register, change), not a PasswordTooLong thrown later at hash time.
  .transform((settings) => ({
    ...settings,
    validators: { ...settings.validators, maxLength: settings.maxLength },
  }));

export type PasswordSettings = z.output<typeof passwordSettings>;
