import { describe, expect, it } from 'vitest';
import { apiKeyChecksum, apiKeyDigest, apiKeyShownPrefix, generateApiKey, parseApiKey } from './api-keys.js';

describe('API key format', () => {
  it('is the prefix, 43 base62 characters of randomness and a 6-character checksum', () => {
    const key = generateApiKey('gat_');
    expect(key).toMatch(/^gat_[0-9A-Za-z]{49}$/);
    expect(parseApiKey(key)).toEqual({ prefix: 'gat_', secret: key.slice(4, 47), checksum: key.slice(47) });
    expect(apiKeyChecksum(key.slice(0, 47))).toBe(key.slice(47));
  });

  it('never repeats, and uses the whole alphabet evenly enough to hold 256 bits', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateApiKey('gat_')));
    expect(keys.size).toBe(2000);
    const seen = new Set([...keys].flatMap((k) => [...k.slice(4, 47)]));
    expect(seen.size).toBe(62);
    for (const position of [4, 5, 46]) {
      expect(new Set([...keys].map((k) => k[position])).size).toBeGreaterThan(50);
    }
  });

  it('takes any configured prefix', () => {
    const key = generateApiKey('acme2_');
    expect(key.startsWith('acme2_')).toBe(true);
    expect(parseApiKey(key)?.prefix).toBe('acme2_');
  });

  it('rejects a typo, a truncation, a changed prefix and look-alikes before any lookup', () => {
    const key = generateApiKey('gat_');
    const flipped = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
    const swapped = `gbt_${key.slice(4)}`;
    for (const bad of [
      flipped,
      key.slice(0, -1),
      `${key}x`,
      swapped,
      key.replace('gat_', 'GAT_'),
      '9f1c0a4e6b2d4c8e9a7b5c3d1e0f2a4b6c8d0e1f', // a DRF key (40 hex)
      '',
      'gat_',
      `gat_${'-'.repeat(49)}`,
    ]) {
      expect(parseApiKey(bad), bad).toBeNull();
    }
  });

  it('stores a SHA-256 digest and shows only the prefix and four characters', () => {
    const key = generateApiKey('gat_');
    expect(apiKeyDigest(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyDigest(key)).not.toContain(key.slice(4, 47));
    expect(apiKeyShownPrefix(key)).toBe(key.slice(0, 8));
  });
});
