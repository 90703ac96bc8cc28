import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-cache.js';

const NOW = 1_800_000_000_000;
const payload = (expSeconds: number) => Object.freeze({ sub: '1', exp: expSeconds });

describe('VerifiedTokenCache', () => {
  it('hits only for the exact token string', () => {
    const cache = new VerifiedTokenCache(10, 600_000);
    const p = payload(NOW / 1000 + 60);
    cache.set('a.b.sig', p, null, NOW);
    expect(cache.get('a.b.sig', NOW)).toBe(p);
    expect(cache.get('a.b.forged', NOW)).toBeUndefined();
  });

  it('never serves a token past its exp, nor past the cache lifetime', () => {
    const cache = new VerifiedTokenCache(10, 1_000);
    cache.set('short', payload(NOW / 1000 + 60), null, NOW);
    expect(cache.get('short', NOW + 999)).toBeDefined();
    expect(cache.get('short', NOW + 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);

    const long = new VerifiedTokenCache(10, 600_000);
    long.set('exp', payload(NOW / 1000 + 5), null, NOW);
    expect(long.get('exp', NOW + 5_000)).toBeUndefined();
    long.set('expired', payload(NOW / 1000 - 1), null, NOW);
    expect(long.size).toBe(0);
  });

  it('forgets a token once the key that verified it retires', () => {
    const cache = new VerifiedTokenCache(10, 600_000);
    cache.set('t', payload(NOW / 1000 + 60), NOW + 10, NOW);
    expect(cache.get('t', NOW + 9)).toBeDefined();
    expect(cache.get('t', NOW + 10)).toBeUndefined();
  });

  it('is bounded, evicting the least recently used', () => {
    const cache = new VerifiedTokenCache(2, 600_000);
    const p = payload(NOW / 1000 + 60);
    cache.set('one', p, null, NOW);
    cache.set('two', p, null, NOW);
    cache.get('one', NOW);
    cache.set('three', p, null, NOW);
    expect(cache.size).toBe(2);
    expect(cache.get('two', NOW)).toBeUndefined();
    expect(cache.get('one', NOW)).toBe(p);
    expect(cache.get('three', NOW)).toBe(p);
  });

  it('stores nothing with a size of 0', () => {
    const cache = new VerifiedTokenCache(0, 600_000);
    cache.set('t', payload(NOW / 1000 + 60), null, NOW);
    expect(cache.size).toBe(0);
  });
});
