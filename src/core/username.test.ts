import { describe, expect, it } from 'vitest';
import { MAX_USERNAME_LENGTH, normalizeUsername, usernameInputProblem } from './username.js';

describe('normalizeUsername (NFKC, as Django)', () => {
  it('folds look-alikes into the name they imitate', () => {
    expect(normalizeUsername('ａｄｍｉｎ')).toBe('admin');
    expect(normalizeUsername('adⅠin')).toBe('adIin');
    expect(normalizeUsername('ﬁle')).toBe('file');
    expect(normalizeUsername('alice')).toBe('alice');
  });

  it('is idempotent, so normalising at each layer gives one name', () => {
    for (const name of ['ａｄｍｉｎ', 'Å', 'ﷺ', 'x']) {
      expect(normalizeUsername(normalizeUsername(name))).toBe(normalizeUsername(name));
    }
  });
});

describe('usernameInputProblem', () => {
  it('accepts up to 150 characters and refuses more, in DRF words', () => {
    expect(usernameInputProblem('x'.repeat(MAX_USERNAME_LENGTH))).toBeNull();
    expect(usernameInputProblem('x'.repeat(60_000))).toBe(
      'Ensure this field has no more than 150 characters.',
    );
  });

  it('refuses U+0000, which no stored user can hold', () => {
    expect(usernameInputProblem('ad\0min')).toBe('Null characters are not allowed.');
  });
});
