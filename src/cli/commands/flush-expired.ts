import type { AuditStore } from '../../stores/types.js';
import { noArguments } from '../args.js';
import type { Command } from '../command.js';

const BATCH = 5000;

/**
 * `gatehouse flush-expired`: deletes expired sessions, API tokens and refresh-token state in
 * batches (simplejwt's flushexpiredtokens, Django's clearsessions), so a large flush never
 * holds the database for long; and audit events older than `audit.retention`.
 */
export const flushExpiredCommand: Command = {
  name: 'flush-expired',
  summary: 'delete expired sessions, API tokens, refresh-token records and old audit events',
  usage: 'flush-expired',
  flags: {},
  async run(args, { open, print }) {
    noArguments(args.positionals);
    const services = await open();
    const { stores, clock } = services.ctx;
    const now = clock.now();
    const counts: Record<string, number> = {};
    for (const [name, store] of [
      ['sessions', stores.sessions],
      ['API tokens', stores.apiTokens],
      ['refresh-token records', stores.jwtState],
    ] as const) {
      let total = 0;
      for (;;) {
        const n = await store.deleteExpired(now, BATCH);
        total += n;
        if (n < BATCH) break;
        // Let other work on the database run between batches.
        await new Promise((r) => setImmediate(r));
      }
      counts[name] = total;
    }
    // Ended rate-limit windows are swept too where the store keeps rows (Redis expires its own).
    const { rateLimits } = stores;
    if (rateLimits.deleteExpired) {
      let n = 0;
      do n = await rateLimits.deleteExpired(now, BATCH);
      while (n === BATCH);
    }
    // Spent TOTP steps and unfinished two-step sign-ins: short-lived rows nobody reads once expired.
    let swept = 0;
    do swept = await stores.mfa.deleteExpired(now, BATCH);
    while (swept === BATCH);
    const audit = await flushAudit(stores.audit, now, services.ctx.config.audit.retention);
    print(
      `Deleted ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.${audit}`,
    );
    return 0;
  },
};

/** Deletes audit events past `retention` (seconds; null keeps them all); what to add to the report. */
async function flushAudit(audit: AuditStore, now: number, retention: number | null): Promise<string> {
  if (retention === null) return ' Audit events are kept (audit.retention is null).';
  if (!audit.deleteBefore) return ' The audit store keeps its own events (it has no deleteBefore).';
  const cutoff = now - retention * 1000;
  let total = 0;
  let n = 0;
  do {
    n = await audit.deleteBefore(cutoff, BATCH);
    total += n;
  } while (n === BATCH);
  return ` Deleted ${total} audit events older than ${formatDays(retention)}.`;
}

const formatDays = (seconds: number): string =>
  seconds % 86400 === 0 ? `${seconds / 86400} days` : `${seconds} seconds`;
