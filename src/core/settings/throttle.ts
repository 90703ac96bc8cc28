import { z } from 'zod';
import { duration } from './duration.js';

/** A parsed throttle rate: at most `limit` requests per fixed window of `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
  /** As written, for messages and docs: "5/min". */
  readonly text: string;
}

const PERIODS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86400,
  day: 86400,
};
const RATE = /^(\d+)\s*\/\s*([a-z]+)$/;

/**
 * Parses DRF's throttle-rate syntax once, at start-up: `"5/min"`, `"100/hour"`, `"1000/day"`
 * (`s|sec|m|min|h|hour|d|day`). Throws a RangeError that says what is accepted.
 *
 * @example
 * parseRate('5/min'); // { limit: 5, windowMs: 60_000, text: '5/min' }
 */
export function parseRate(text: string): Rate {
  const m = RATE.exec(text.trim());
  const seconds = m ? PERIODS[m[2]!] : undefined;
  if (!m || seconds === undefined || Number(m[1]) < 1) {
    throw new RangeError(
      `expected a rate like "5/min", "100/hour" or "1000/day" (per s, sec, m, min, h, hour, d, day), or null to turn it off, got ${JSON.stringify(text)}`,
    );
  }
  return { limit: Number(m[1]), windowMs: seconds * 1000, text: text.trim() };
}

/** A rate in config: DRF's `"5/min"`, or null to turn that throttle off. */
const rate = z.union([z.string(), z.null()]).transform((value, ctx): Rate | null => {
  if (value === null) return null;
  try {
    return parseRate(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/**
 * Throttles on the endpoints that take a password or mint credentials (DRF's
 * DEFAULT_THROTTLE_RATES, scoped), counted in the RateLimitStore so every instance that shares
 * it shares the counts. Each rate may be null to turn it off.
 *
 * @example
 * defineConfig({ secretKey, throttle: { login: '10/min', register: null } });
 */
export const throttleSettings = z
  .object({
    /** Per client ip, across session login, API token obtain and JWT obtain. */
    login: rate.prefault('30/min'),
    /** Per (client ip, username) on the same endpoints: a guessing run at one account. */
    loginUsername: rate.prefault('10/min'),
    /**
     * Per client ip, on passkey sign-in options: anyone may ask, and each answer stores a challenge
     * until it expires, so asking is counted like a request that writes.
     */
    challenge: rate.prefault('60/min'),
    /** Per client ip, on JWT refresh (and sliding refresh). */
    refresh: rate.prefault('120/min'),
    /** Per client ip, on sign-up. */
    register: rate.prefault('10/hour'),
    /** Per (client ip, user), on password change. */
    passwordChange: rate.prefault('10/hour'),
    /** Per client ip, on password reset, verification resend and email change (docs/email.md). */
    email: rate.prefault('20/hour'),
    /**
     * Per address, from every client together, on the same routes: mails past it are quietly not
     * sent (the answer is the same 202), so nobody can flood an inbox or tell anything by it.
     */
    emailAddress: rate.prefault('5/hour'),
    /**
     * Consecutive failed passwords for one (client ip, username) before back-off starts; 0 turns
     * back-off off. A success resets the count.
     */
    backoffAfter: z.number().int().min(0).default(5),
    /** The first back-off wait; each further failure doubles it. */
    backoffBase: duration.default(1),
    /** The longest back-off wait: there is never a permanent lockout. */
    backoffMax: duration.default(15 * 60),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.backoffBase > s.backoffMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['backoffBase'],
        message: `must not exceed backoffMax (${s.backoffMax}s)`,
      });
    }
  });

export type ThrottleSettings = z.output<typeof throttleSettings>;
