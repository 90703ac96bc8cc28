import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { createMemoryStores } from '../../stores/memory/index.js';
import { memoryUserStore } from '../../stores/memory/users.js';
import type { Stores } from '../../stores/types.js';
import { createServices } from '../create.js';
import { inWords } from './flows.js';

const secretKey = 'a-secret-key-of-at-least-32-characters!';

/** An app's own UserStore from before the mail flows: no findByEmail, no setEmail. */
function storesWithoutMailLookups(): Stores {
  const { findByEmail: _find, setEmail: _set, ...users } = memoryUserStore();
  return { ...createMemoryStores(), users };
}

describe('mail flows over an app’s own UserStore', () => {
  it('are off in development when the store cannot look users up by address', () => {
    const services = createServices({
      config: resolveConfig({ secretKey }),
      stores: storesWithoutMailLookups(),
      logger: silentLogger,
    });
    expect(services.emailFlows.enabled).toBe(false);
  });

  it('stop the start when mail is configured on purpose, saying what is missing', () => {
    const start = () =>
      createServices({
        config: resolveConfig({ secretKey, email: { url: 'smtp://127.0.0.1:2525' } }),
        stores: storesWithoutMailLookups(),
        logger: silentLogger,
      });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/findByEmail and setEmail/);
  });

  it('are on over the stores gatehouse ships', () => {
    const services = createServices({ config: resolveConfig({ secretKey }), stores: createMemoryStores() });
    expect(services.emailFlows.enabled).toBe(true);
  });
});

describe('inWords', () => {
  it('says how long a link works', () => {
    expect([inWords(3600), inWords(7200), inWords(86400 * 3), inWords(900), inWords(60)]).toEqual([
      '1 hour',
      '2 hours',
      '3 days',
      '15 minutes',
      '1 minute',
    ]);
  });
});
