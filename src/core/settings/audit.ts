import { z } from 'zod';
import { optionalDuration } from './duration.js';

/**
 * Audit-trail settings. Lifetimes are seconds once parsed.
 *
 * @example
 * defineConfig({ secretKey, audit: { retention: '180d' } });
 */
export const auditSettings = z
  .object({
    /**
     * How long an audit event is kept: `gatehouse flush-expired` deletes older ones, so failed
     * logins cannot grow the table without bound. null keeps every event.
     */
    retention: optionalDuration.default(90 * 86400),
  })
  .strict();

export type AuditSettings = z.output<typeof auditSettings>;
