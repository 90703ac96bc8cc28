import { z } from 'zod';
import { parseDuration } from '../clock.js';

/** A lifetime in config: "15m", "7d" or seconds. Parsed once; the output is seconds. */
export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** A duration that may be null (no expiry). */
export const optionalDuration = z.union([duration, z.null()]);
