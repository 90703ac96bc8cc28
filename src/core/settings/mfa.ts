import { z } from 'zod';
import { duration } from './duration.js';

/**
 * Second factors (docs/mfa.md): the name authenticator apps show, how long the second step of a
 * sign-in may take, and how recent a sign-in must be for a sensitive action (step-up).
 *
 * @example
 * defineConfig({ secretKey, mfa: { issuer: 'Acme', recentAuthSeconds: 600 } });
 */
export const mfaSettings = z
  .object({
    /** The issuer in the otpauth:// URL: the account's label in authenticator apps. */
    issuer: z.string().trim().min(1).max(100).default('gatehouse'),
    /** The life of an `mfa_token` (the second step of a sign-in). */
    challengeTtl: duration.default(300),
    /**
     * How recent (seconds) the password sign-in behind a credential must be for password change,
     * TOTP disable, recovery-code regeneration and API-token creation.
     */
    recentAuthSeconds: z.number().int().min(1).default(300),
    /**
     * Whose sensitive actions need that recent sign-in: `mfa` (users with a second factor on: the
     * accounts whose password alone must not be enough) or `everyone` (then a script holding an
     * API token can no longer mint tokens or change the password for any account).
     */
    stepUp: z.enum(['mfa', 'everyone']).default('mfa'),
  })
  .strict();

export type MfaSettings = z.output<typeof mfaSettings>;
