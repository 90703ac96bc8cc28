import { availableParallelism } from 'node:os';
import type { GatehouseConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import type { ServerSettings } from '../../core/settings/server.js';
import { parseStoreUrl } from '../../stores/url.js';

/**
 * How many worker processes `server.workers` asks for: `'auto'` is one per core the process
 * may use (a container's CPU limit included, as `os.availableParallelism()` reports it).
 *
 * @example
 * workerCount('auto'); // 8 on an 8-core machine
 */
export function workerCount(setting: ServerSettings['workers']): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/**
 * Refuses several workers over a store that lives inside one process (`memory:`,
 * `sqlite::memory:`): each worker would have its own users and sessions, and a client would be
 * signed in or out depending on which worker its connection landed on.
 */
export function assertSharedStores(config: GatehouseConfig, cwd: string): void {
  const urls = [config.database, config.redis, ...Object.values(config.stores ?? {})];
  const inProcess = urls.some((url) => {
    if (url === undefined) return false;
    const parsed = parseStoreUrl(url, cwd);
    return parsed.kind === 'memory' || (parsed.kind === 'sqlite' && parsed.filename === ':memory:');
  });
  if (!inProcess) return;
  throw new ConfigError([
    {
      path: 'server.workers',
      message:
        'several workers need stores they share, and a "memory:" or "sqlite::memory:" store lives in each ' +
        'worker of its own: use a SQLite file ("sqlite:./gatehouse.db"), PostgreSQL or Redis, or one worker',
    },
  ]);
}
