/** Records for the store suite: valid by default, overridable per test. */
import { createHash, randomUUID } from 'node:crypto';
import type { ApiTokenRecord, OutstandingRefresh, SessionRecord } from '../../src/stores/types.js';

/** A fixed instant, so expiry arithmetic in tests reads plainly. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const digestOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomUUID(),
    digest: digestOf(randomUUID()),
    userId: 1,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + DAY,
    ip: '203.0.113.7',
    userAgent: 'test-agent/1.0',
    data: {},
    ...overrides,
  };
}

export function apiToken(overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  return {
    id: randomUUID(),
    digest: digestOf(randomUUID()),
    userId: 1,
    name: 'laptop',
    prefix: 'gat_Ab3d',
    scopes: [],
    createdAt: T0,
    lastUsedAt: null,
    expiresAt: null,
    ...overrides,
  };
}

export function refresh(overrides: Partial<OutstandingRefresh> = {}): OutstandingRefresh {
  return {
    jti: randomUUID(),
    userId: 1,
    familyId: randomUUID(),
    issuedAt: T0,
    expiresAt: T0 + DAY,
    ...overrides,
  };
}

/** Calls a batched cleanup until it deletes nothing; returns each batch's count. */
export async function drain(deleteBatch: () => Promise<number>): Promise<number[]> {
  const batches: number[] = [];
  for (;;) {
    const n = await deleteBatch();
    batches.push(n);
    if (n === 0) return batches;
  }
}
