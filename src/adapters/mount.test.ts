import { describe, expect, it } from 'vitest';
import { normalisePrefix } from './mount.js';

describe('normalisePrefix', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['auth', '/auth'],
    ['/auth/', '/auth'],
    ['/a/b//', '/a/b'],
  ])('%j → %j', (input, out) => {
    expect(normalisePrefix(input)).toBe(out);
  });
});
