import { z } from 'zod';
import { optionalDuration } from './duration.js';

/** Opaque API token settings (DRF TokenAuthentication, knox's extras). */
export const tokenSettings = z
  .object({
    /** The Authorization keyword (DRF's TokenAuthentication.keyword). */
    keyword: z.string().min(1).default('Token'),
    /** Key prefix, so secret scanners recognise leaked keys. */
    prefix: z
      .string()
      .regex(/^[a-z][a-z0-9]*_$/, 'expected lower-case letters and digits ending in "_"')
      .default('gat_'),
    /** Lifetime of a new token; null for none (knox's TOKEN_TTL). */
    ttl: optionalDuration.default(30 * 86400),
  })
  .strict();

export type TokenSettings = z.output<typeof tokenSettings>;
