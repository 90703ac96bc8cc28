/**
 * `gatehouse-auth/testing`: what tests and benchmarks need to build and drive a gatehouse by
 * hand, kept out of the root export (the documented API). A manual clock, memory stores, a
 * password hasher with cheap parameters, users made through the same checks as `gatehouse
 * createuser`, and an in-process request and router for calling the contract without a server.
 *
 * @example
 * import { createGatehouse, defineConfig } from 'gatehouse-auth';
 * import { createMemoryStores, createUser, ManualClock } from 'gatehouse-auth/testing';
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * const gh = createGatehouse({ config: defineConfig({ secretKey }), stores: createMemoryStores(), clock });
 * await createUser(gh.ctx, { username: 'alice', password: 'correct horse battery' });
 * clock.advance(60_000);
 */

export { Router } from './contract/router.js';
export { ManualClock } from './core/clock.js';
export { createAuthRequest } from './core/request.js';
export {
  activateUser,
  type CreateUserInput,
  changePassword,
  createUser,
  deactivateUser,
  endAllCredentials,
} from './core/users.js';
export { createPasswordHasher, type PasswordHashingOptions } from './crypto/passwords/hasher.js';
export { createMemoryStores } from './stores/memory/index.js';
