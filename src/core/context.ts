import type { PasswordHasher } from '../crypto/passwords/types.js';
import type { Stores } from '../stores/types.js';
import type { Clock } from './clock.js';
import type { GatehouseConfig } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Everything made once at start-up and passed down: no module-level singletons, so each test
 * builds a fresh one.
 */
export interface Context {
  readonly config: GatehouseConfig;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly passwords: PasswordHasher;
  readonly logger: Logger;
  /** Where counts are reported (docs/metrics.md); absent when metrics are off. */
  readonly metrics?: Metrics;
}
