/**
 * The errors a store throws, StoreUnavailable (the contract answers 503 `service_unavailable`)
 * and UniqueViolation, are in the one catalogue, src/core/errors.ts; store code imports them
 * from here.
 */
export { StoreUnavailable, UniqueViolation } from '../core/errors.js';
