import { z } from 'zod';
import { duration } from './duration.js';

/** An origin exactly as a browser puts it in clientDataJSON: scheme, host, port; no path. */
const origin = z.string().refine(
  (o) => {
    try {
      return new URL(o).origin === o;
    } catch {
      return false;
    }
  },
  {
    message: 'expected an origin such as https://example.com (a scheme and host, no path or trailing slash)',
  },
);

/**
 * Passkeys (WebAuthn, docs/mfa.md): set to turn them on. The relying-party id is the domain the
 * credentials are bound to; each allowed origin must be that domain or one of its subdomains.
 */
export const passkeySettings = z
  .object({
    /** The domain passkeys are made for, e.g. `example.com` (no scheme, no port). */
    rpId: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
        'expected a domain such as example.com',
      ),
    /** The name browsers show in their passkey prompt; defaults to `mfa.issuer`. */
    rpName: z.string().trim().min(1).max(100).optional(),
    /** The origins pages that use passkeys are served from, e.g. `https://app.example.com`. */
    origins: z.array(origin).min(1),
    /** How long a registration or sign-in ceremony may take, from its options to its verify. */
    challengeTtl: duration.default(120),
  })
  .strict()
  .superRefine((p, issue) => {
    p.origins.forEach((o, i) => {
      const host = new URL(o).hostname;
      if (host !== p.rpId && !host.endsWith(`.${p.rpId}`)) {
        issue.addIssue({
          code: 'custom',
          path: ['origins', i],
          message: `${o} is not on ${p.rpId} or one of its subdomains: browsers refuse passkeys for it`,
        });
      }
    });
  });

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
    /** Passkeys; off when unset. */
    passkeys: passkeySettings.optional(),
  })
  .strict();

export type MfaSettings = z.output<typeof mfaSettings>;

export type PasskeySettings = z.output<typeof passkeySettings>;
