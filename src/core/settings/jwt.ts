import type { JsonWebKey } from 'node:crypto';
import { z } from 'zod';
import { JWT_ALGORITHMS } from '../../crypto/jwt/keys.js';
import type { UserRecord } from '../../stores/types.js';
import { duration } from './duration.js';
import { jwtCookieSettings } from './jwt-cookie.js';

/** What a custom-claims hook is told: the user and which token is being minted. */
export type JwtTokenType = 'access' | 'refresh' | 'sliding';

/**
 * Adds claims at issue time (simplejwt's `get_token` override). Reserved claims (type, exp, iat,
 * jti, the user id, aud, iss) always win over what the hook returns.
 */
export type JwtClaimsHook = (
  user: UserRecord,
  tokenType: JwtTokenType,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

const algorithm = z.enum(JWT_ALGORITHMS, {
  error: (issue) => `expected one of ${JWT_ALGORITHMS.join(', ')}, got ${JSON.stringify(issue.input)}`,
});

/** PEM text, a JWK (object or JSON text), or an HMAC secret. */
const keyInput = z.union([
  z.string().min(1),
  z.custom<JsonWebKey>((v) => !!v && typeof v === 'object' && typeof (v as JsonWebKey).kty === 'string', {
    message: 'expected PEM text, a JWK object or a secret',
  }),
]);

/** A key that verifies only: the key, or `{ key, alg?, kid? }`. */
const verifyingKey = z.union([
  keyInput,
  z.object({ key: keyInput, alg: algorithm.optional(), kid: z.string().min(1).optional() }).strict(),
]);

/** JWT settings; names follow simplejwt's SIMPLE_JWT where one exists (see docs/jwt.md). */
export const jwtSettings = z
  .object({
    /** ACCESS_TOKEN_LIFETIME */
    accessTokenLifetime: duration.default(15 * 60),
    /** REFRESH_TOKEN_LIFETIME */
    refreshTokenLifetime: duration.default(7 * 86400),
    /** ROTATE_REFRESH_TOKENS */
    rotateRefreshTokens: z.boolean().default(true),
    /**
     * BLACKLIST_AFTER_ROTATION: a rotated refresh token is spent; presenting it again revokes its
     * family. false keeps simplejwt's looser behaviour (the old token refreshes until it expires).
     */
    blacklistAfterRotation: z.boolean().default(true),
    /**
     * A refresh token spent less than this many seconds ago, presented again while the successor
     * it got is still unspent, gets that same successor (two tabs refreshing at once), not a
     * revoked family. 0: every second presentation is reuse. At most 60: a longer window only
     * widens what a thief may replay (see docs/jwt.md).
     */
    reuseGraceSeconds: z
      .custom<number>((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 60, {
        error: (issue) => `expected a number of seconds from 0 to 60, got ${JSON.stringify(issue.input)}`,
      })
      .default(10),
    /** UPDATE_LAST_LOGIN */
    updateLastLogin: z.boolean().default(false),
    /** ALGORITHM: the algorithm of the configured key (`signingKey`, or the secret key for HS*). */
    algorithm: algorithm.default('HS256'),
    /** SIGNING_KEY: HMAC secret (default: the secret key) or a private key (PEM or JWK). */
    signingKey: keyInput.optional(),
    /** SIGNING_KEY read from a file (PEM or JWK). */
    signingKeyFile: z.string().min(1).optional(),
    /** VERIFYING_KEY: the public key, when no private key is configured (verify-only services). */
    verifyingKey: keyInput.optional(),
    /** VERIFYING_KEY read from a file. */
    verifyingKeyFile: z.string().min(1).optional(),
    /** More keys that verify but never sign (a key being rotated out). */
    verifyingKeys: z.array(verifyingKey).default([]),
    /**
     * The keys file `gatehouse keys generate/rotate` maintain (a private JWK set with the current
     * signer). When it names a current key, that key signs.
     */
    keysFile: z.string().min(1).optional(),
    /** JWK_URL: verify tokens issued by another service from its JWKS. */
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** How long a fetched remote JWKS is used before it is fetched again. */
    jwksCacheLifetime: duration.default(600),
    /** After a failed fetch, how long the keys held are used before a stale set is fetched again. */
    jwksCooldown: duration.default(30),
    /**
     * Fetches of the set caused by tokens naming a kid it lacks, at most, in any minute across all
     * kids: a new key of the issuer is fetched at once, a client spraying kids cannot make gatehouse
     * hammer the issuer.
     */
    jwksFetchesPerMinute: z
      .custom<number>((v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 600, {
        error: (issue) => `expected a whole number from 1 to 600, got ${JSON.stringify(issue.input)}`,
      })
      .default(10),
    /** AUDIENCE */
    audience: z.string().optional(),
    /** ISSUER */
    issuer: z.string().optional(),
    /** LEEWAY */
    leeway: duration.default(0),
    /** AUTH_HEADER_TYPES */
    authHeaderTypes: z.array(z.string().min(1)).min(1).default(['Bearer']),
    /** AUTH_TOKEN_CLASSES: which token types the scheme accepts ('sliding' also mounts its endpoints). */
    authTokenTypes: z
      .array(z.enum(['access', 'sliding']))
      .min(1)
      .default(['access']),
    /** USER_ID_CLAIM */
    userIdClaim: z.string().min(1).default('user_id'),
    /** TOKEN_TYPE_CLAIM */
    tokenTypeClaim: z.string().min(1).default('token_type'),
    /** JTI_CLAIM */
    jtiClaim: z.string().min(1).default('jti'),
    /** SLIDING_TOKEN_LIFETIME */
    slidingTokenLifetime: duration.default(5 * 60),
    /** SLIDING_TOKEN_REFRESH_LIFETIME */
    slidingTokenRefreshLifetime: duration.default(86400),
    /** SLIDING_TOKEN_REFRESH_EXP_CLAIM */
    slidingTokenRefreshExpClaim: z.string().min(1).default('refresh_exp'),
    /** Adds claims at issue time (simplejwt: override `get_token`). */
    customClaims: z
      .custom<JwtClaimsHook>((v) => typeof v === 'function', { message: 'expected a function' })
      .optional(),
    /** Skip the user lookup on each request (revocation then waits for expiry). */
    stateless: z.boolean().default(false),
    /**
     * Verified tokens remembered (a hit costs ~1.6 µs against ~4.5 µs for an HS256 check and ~70 µs
     * for ES256); expiry is still checked on every request. 0 turns it off.
     */
    verifiedTokenCache: z.number().int().min(0).max(100_000).default(1000),
    /** Also carry the tokens in HttpOnly cookies (dj-rest-auth's JWT_AUTH_COOKIE); see docs/sessions.md. */
    cookie: jwtCookieSettings,
  })
  .strict();

export type JwtSettings = z.output<typeof jwtSettings>;
