import { noArguments } from '../args.js';
import type { Command } from '../command.js';

const BATCH = 5000;

/**
 * `gatehouse flush-expired`: deletes expired sessions, API tokens and refresh-token state in
 * batches (simplejwt's flushexpiredtokens, Django's clearsessions), so a large flush never
 * holds the database for long.
 */
export const flushExpiredCommand: Command = {
  name: 'flush-expired',
  summary: 'delete expired sessions, API tokens and refresh-token records',
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
    print(
      `Deleted ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.`,
    );
    return 0;
  },
};
