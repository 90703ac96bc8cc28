import { z } from 'zod';
import { duration } from './duration.js';

/** JWT settings; names follow simplejwt's SIMPLE_JWT where one exists (see docs/configuration.md). */
export const jwtSettings = z
  .object({
    /** ACCESS_TOKEN_LIFETIME */
    accessTokenLifetime: duration.default(15 * 60),
    /** REFRESH_TOKEN_LIFETIME */
    refreshTokenLifetime: duration.default(7 * 86400),
    /** ROTATE_REFRESH_TOKENS */
    rotateRefreshTokens: z.boolean().default(true),
    /** BLACKLIST_AFTER_ROTATION */
    blacklistAfterRotation: z.boolean().default(true),
    /** ALGORITHM */
    algorithm: z
      .enum([
        'HS256',
        'HS384',
        'HS512',
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
      ])
      .default('HS256'),
    /** SIGNING_KEY (HMAC: defaults to the secret key). */
    signingKey: z.string().optional(),
    /** AUDIENCE */
    audience: z.string().optional(),
    /** ISSUER */
    issuer: z.string().optional(),
    /** LEEWAY */
    leeway: duration.default(0),
    /** AUTH_HEADER_TYPES */
    authHeaderTypes: z.array(z.string().min(1)).min(1).default(['Bearer']),
    /** USER_ID_CLAIM */
    userIdClaim: z.string().default('user_id'),
    /** TOKEN_TYPE_CLAIM */
    tokenTypeClaim: z.string().default('token_type'),
    /** JTI_CLAIM */
    jtiClaim: z.string().default('jti'),
    /** Skip the user lookup on each request (revocation then waits for expiry). */
    stateless: z.boolean().default(false),
  })
  .strict();

export type JwtSettings = z.output<typeof jwtSettings>;
