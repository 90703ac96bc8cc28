import { describe, expect, it } from 'vitest';
import { type GatehouseConfigInput, resolveConfig } from '../config.js';

const config = (tokens: GatehouseConfigInput['tokens']) =>
  resolveConfig({ secretKey: 's'.repeat(32), tokens });

describe('tokens settings', () => {
  it('defaults: Token, gat_, 30 days, no sliding, no cap, 10 per user retiring the oldest, last used once a minute', () => {
    expect(config({}).tokens).toEqual({
      keyword: 'Token',
      prefix: 'gat_',
      ttl: 30 * 86400,
      slidingRenewal: false,
      maxAge: null,
      maxPerUser: 10,
      atLimit: 'retire_oldest',
      lastUsedInterval: 60,
    });
  });

  it('parses lifetimes once, into seconds', () => {
    expect(
      config({ ttl: '90d', maxAge: '1w', lastUsedInterval: '5m', slidingRenewal: true }).tokens,
    ).toMatchObject({
      ttl: 90 * 86400,
      maxAge: 7 * 86400,
      lastUsedInterval: 300,
      slidingRenewal: true,
    });
  });

  it.each([
    [{ slidingRenewal: true, ttl: null }, 'tokens.slidingRenewal: needs a ttl'],
    [{ keyword: 'My Token' }, 'tokens.keyword: expected an HTTP auth-scheme name'],
    [{ prefix: 'GAT_' }, 'tokens.prefix: expected lower-case letters and digits ending in "_"'],
    [{ prefix: 'averyveryverylong_' }, 'tokens.prefix: expected at most 16 characters'],
    [{ maxPerUser: 0 }, 'tokens.maxPerUser'],
    [
      { atLimit: 'drop' } as unknown as GatehouseConfigInput['tokens'],
      "tokens.atLimit: expected one of: 'retire_oldest', 'refuse'",
    ],
    [{ ttl: 'soon' }, 'tokens.ttl'],
    [{ ttl: '30d', renew: true } as GatehouseConfigInput['tokens'], 'tokens: unknown key "renew"'],
  ])('refuses %j naming the key', (tokens, message) => {
    expect(() => config(tokens)).toThrow(message);
  });
});
