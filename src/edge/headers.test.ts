import { describe, expect, it } from 'vitest';
import { credentialHeaders, mergeVary } from './headers.js';

describe('mergeVary', () => {
  it('adds Cookie and Authorization to what is there, once, in any case', () => {
    expect(mergeVary(undefined)).toBe('Cookie, Authorization');
    expect(mergeVary('Origin')).toBe('Origin, Cookie, Authorization');
    expect(mergeVary(['Origin', 'accept-encoding'])).toBe('Origin, accept-encoding, Cookie, Authorization');
    expect(mergeVary('cookie, Origin')).toBe('cookie, Origin, Authorization');
    expect(mergeVary('*')).toBe('*');
    expect(mergeVary('Origin', 'Accept-Encoding, origin')).toBe('Origin, Accept-Encoding');
  });

  it('sends no-store with it', () => {
    expect(credentialHeaders('Origin')).toEqual({
      vary: 'Origin, Cookie, Authorization',
      'cache-control': 'no-store',
    });
  });
});
