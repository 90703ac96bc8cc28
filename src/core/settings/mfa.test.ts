import { describe, expect, it } from 'vitest';
import { type GatehouseConfigInput, resolveConfig } from '../config.js';

const config = (mfa: GatehouseConfigInput['mfa']) => resolveConfig({ secretKey: 's'.repeat(32), mfa });

describe('mfa.passkeys settings', () => {
  it('is off by default, and takes a domain, its origins and a ceremony time', () => {
    expect(config({}).mfa.passkeys).toBeUndefined();
    expect(
      config({
        passkeys: { rpId: 'Example.com', origins: ['https://app.example.com', 'https://example.com:8443'] },
      }).mfa.passkeys,
    ).toEqual({
      rpId: 'example.com',
      origins: ['https://app.example.com', 'https://example.com:8443'],
      challengeTtl: 120,
    });
  });

  it('refuses an origin off the relying party, one with a path, and an rpId that is a URL', () => {
    expect(() => config({ passkeys: { rpId: 'example.com', origins: ['https://example.org'] } })).toThrow(
      /not on example\.com/,
    );
    expect(() => config({ passkeys: { rpId: 'example.com', origins: ['https://example.com/app'] } })).toThrow(
      /expected an origin/,
    );
    expect(() =>
      config({ passkeys: { rpId: 'https://example.com', origins: ['https://example.com'] } }),
    ).toThrow(/expected a domain/);
    expect(() => config({ passkeys: { rpId: 'example.com', origins: [] } })).toThrow();
  });
});
