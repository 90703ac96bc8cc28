import { z } from 'zod';
import { duration } from './duration.js';

/** Session cookie settings (Django's SESSION_COOKIE_*). */
export const sessionSettings = z
  .object({
    /** SESSION_COOKIE_NAME */
    cookieName: z.string().min(1).default('sessionid'),
    /** SESSION_COOKIE_AGE: absolute lifetime. */
    lifetime: duration.default(14 * 86400),
  })
  .strict();

export type SessionSettings = z.output<typeof sessionSettings>;
