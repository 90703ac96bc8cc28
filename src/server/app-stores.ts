import { type GatehouseConfig, type GatehouseConfigInput, resolveConfig } from '../core/config.js';
import { openStores } from '../stores/open.js';
import type { Stores } from '../stores/types.js';

/**
 * A config file's named `stores` export: the application's own stores (its users table), used by
 * `gatehouse serve` and every CLI command over the ones the config's URLs open. A `close` it
 * returns runs after gatehouse's own stores close.
 *
 * @example
 * // gatehouse.config.ts
 * export const stores: StoresFactory = () => ({ users: accountUserStore(new Database('./app.db')) });
 */
export type StoresFactory = (config: GatehouseConfig) => Partial<Stores> | Promise<Partial<Stores>>;

/**
 * Opens the stores the config names, then lays the application's own over them. The default
 * store a custom one replaces is still opened: its database holds the other stores' tables.
 *
 * @example
 * import input, { stores } from './gatehouse.config.js';
 * const config = resolveConfig(input);
 * const gh = createGatehouse({ config, stores: await openAppStores(config, stores) });
 */
export async function openAppStores(
  input: GatehouseConfigInput | GatehouseConfig,
  factory?: StoresFactory,
): Promise<Stores> {
  const config = resolveConfig(input);
  const base = await openStores(config);
  if (!factory) return base;
  let own: Partial<Stores>;
  try {
    own = await factory(config);
  } catch (err) {
    await base.close();
    throw err;
  }
  return {
    ...base,
    ...own,
    health: async () => ({ ...(await base.health()), ...(own.health ? await own.health() : {}) }),
    close: async () => {
      try {
        await base.close();
      } finally {
        await own.close?.();
      }
    },
  };
}
