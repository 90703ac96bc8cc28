import { z } from 'zod';
import { duration, optionalDuration } from './duration.js';

/** RFC 9110 `token` characters: an auth-scheme name cannot hold anything else (no spaces). */
const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What creating a token at the per-user limit does (`tokens.atLimit`). */
export const TOKEN_AT_LIMIT = ['retire_oldest', 'refuse'] as const;
export type TokenAtLimit = (typeof TOKEN_AT_LIMIT)[number];

/**
 * Opaque API token settings (DRF's TokenAuthentication, with knox's extras). Lifetimes are in
 * seconds once parsed.
 *
 * @example
 * defineConfig({ secretKey, tokens: { ttl: '90d', slidingRenewal: true, maxAge: '1y' } });
 */
export const tokenSettings = z
  .object({
    /** The Authorization keyword (DRF's TokenAuthentication.keyword), matched case-insensitively. */
    keyword: z
      .string()
      .min(1)
      .regex(AUTH_SCHEME, 'expected an HTTP auth-scheme name (letters, digits, no spaces)')
      .default('Token'),
    /** Key prefix, so secret scanners recognise leaked keys. */
    prefix: z
      .string()
      .max(16, 'expected at most 16 characters')
      .regex(/^[a-z][a-z0-9]*_$/, 'expected lower-case letters and digits ending in "_"')
      .default('gat_'),
    /** Lifetime of a new token; null for none (knox's TOKEN_TTL). */
    ttl: optionalDuration.default(30 * 86400),
    /**
     * Each use (at most one write per `lastUsedInterval`) moves the expiry forward by the token's
     * own lifetime, never past `maxAge` (knox's AUTO_REFRESH). Needs a `ttl`.
     */
    slidingRenewal: z.boolean().default(false),
    /**
     * No token outlives this, counted from its creation: sliding renewals and `expires_in`
     * included (knox's AUTO_REFRESH_MAX_TTL). null: no cap.
     */
    maxAge: optionalDuration.default(null),
    /** Live tokens one user may hold (one per device); null: no limit (knox's TOKEN_LIMIT_PER_USER). */
    maxPerUser: z.number().int().min(1).nullable().default(10),
    /**
     * What a new token does at `maxPerUser`: `'retire_oldest'` revokes the least recently used
     * one (audited), so a client that obtains a token at every start never locks itself out;
     * `'refuse'` answers 403 `token_limit_reached` (knox's behaviour).
     */
    atLimit: z
      .enum(TOKEN_AT_LIMIT, { error: `expected one of: ${TOKEN_AT_LIMIT.map((v) => `'${v}'`).join(', ')}` })
      .default('retire_oldest'),
    /** `last used` is written at most this often per token, never on every request. */
    lastUsedInterval: duration.default(60),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.slidingRenewal && s.ttl === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['slidingRenewal'],
        message: 'needs a ttl: a token without an expiry has nothing to renew',
      });
    }
  });

export type TokenSettings = z.output<typeof tokenSettings>;
