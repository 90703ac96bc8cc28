import type { AuditEvent, AuditStore } from '../types.js';

/** Options for {@link memoryAuditStore}. */
export interface MemoryAuditOptions {
  /** Oldest events are dropped beyond this many, so a long-running dev server stays bounded. */
  maxEvents?: number;
}

const copy = (e: AuditEvent): AuditEvent => ({ ...e, detail: structuredClone(e.detail) });

/**
 * An AuditStore held in process memory. `list` returns the newest events first.
 *
 * @example
 * const audit = memoryAuditStore({ maxEvents: 1000 });
 * await audit.append({ at: now, event: 'login', userId: 1, username: 'alice', ip, userAgent, scheme: 'session', detail: {} });
 */
export function memoryAuditStore(options: MemoryAuditOptions = {}): AuditStore {
  const max = options.maxEvents ?? 10_000;
  const events: AuditEvent[] = [];

  return {
    async append(event) {
      events.push(copy(event));
      if (events.length > max) events.splice(0, events.length - max);
    },
    async list({ userId, since, limit }) {
      const out: AuditEvent[] = [];
      const matching = events
        .map((e, seq) => ({ e, seq }))
        .filter(
          ({ e }) => (userId === undefined || e.userId === userId) && (since === undefined || e.at >= since),
        )
        .sort((a, b) => b.e.at - a.e.at || b.seq - a.seq);
      for (const { e } of matching) {
        if (out.length >= limit) break;
        out.push(copy(e));
      }
      return out;
    },
    async deleteBefore(cutoff, limit) {
      const kept: AuditEvent[] = [];
      let n = 0;
      for (const e of events) {
        if (n < limit && e.at <= cutoff) n++;
        else kept.push(e);
      }
      events.splice(0, events.length, ...kept);
      return n;
    },
  };
}
