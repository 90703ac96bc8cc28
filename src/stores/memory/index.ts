import type { Stores } from '../types.js';
import { memoryApiTokenStore } from './api-tokens.js';
import { memoryAuditStore } from './audit.js';
import { memoryJwtStateStore } from './jwt-state.js';
import { memoryMfaStore } from './mfa.js';
import { memoryRateLimitStore } from './rate-limits.js';
import { memorySessionStore } from './sessions.js';
import { memoryUserStore } from './users.js';

export { memoryApiTokenStore } from './api-tokens.js';
export { type MemoryAuditOptions, memoryAuditStore } from './audit.js';
export { memoryJwtStateStore } from './jwt-state.js';
export { memoryMfaStore } from './mfa.js';
export { memoryRateLimitStore } from './rate-limits.js';
export { memorySessionStore } from './sessions.js';
export { memoryUserStore } from './users.js';

/**
 * Every store, held in this process's memory: real expiry, limits and spend-once semantics, no
 * persistence and no sharing between processes. The default for unit tests; `memory:` in a
 * server's config.
 *
 * @example
 * const stores = createMemoryStores();
 * const user = await stores.users.create({ username: 'alice', passwordHash: hash, dateJoined: clock.now() });
 */
export function createMemoryStores(): Stores {
  return {
    users: memoryUserStore(),
    sessions: memorySessionStore(),
    apiTokens: memoryApiTokenStore(),
    jwtState: memoryJwtStateStore(),
    rateLimits: memoryRateLimitStore(),
    audit: memoryAuditStore(),
    mfa: memoryMfaStore(),
    async health() {
      return { memory: 'ok' };
    },
    async close() {},
  };
}
