import { describe, expect, it } from 'vitest';
import {
  isCommonPassword,
  loadCommonPasswords,
  type PasswordValidatorSettings,
  quickRatio,
  validatePassword,
} from './password-validators.js';
import { passwordSettings } from './settings/passwords.js';

const ALL: PasswordValidatorSettings = { minLength: 8, common: true, numeric: true, similarity: true };
const NONE: PasswordValidatorSettings = { minLength: 0, common: false, numeric: false, similarity: false };
// Django's own test user (django/tests/auth_tests/test_validators.py).
const testclient = {
  username: 'testclient',
  email: 'testclient@example.com',
  firstName: 'Test',
  lastName: 'Client',
};

describe('validatePassword', () => {
  it('accepts a good password', () => {
    expect(validatePassword('correct horse battery staple', testclient, ALL)).toEqual([]);
  });

  it('reports every failure with Django messages, in Django order', () => {
    expect(validatePassword('1234', {}, ALL)).toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
      'This password is entirely numeric.',
    ]);
    expect(validatePassword('alice', { username: 'alice' }, ALL)).toEqual([
      'The password is too similar to the username.',
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
    ]);
  });

  it('uses the singular for a one-character minimum and counts code points', () => {
    expect(validatePassword('', {}, { ...NONE, minLength: 1 })).toEqual([
      'This password is too short. It must contain at least 1 character.',
    ]);
    // Four emoji are eight UTF-16 units but four characters, as Python's len() counts.
    expect(validatePassword('😀😀😀😀', {}, { ...NONE, minLength: 5 })).toHaveLength(1);
    expect(validatePassword('😀😀😀😀😀', {}, { ...NONE, minLength: 5 })).toEqual([]);
  });

  it('finds common passwords case- and space-insensitively', () => {
    expect(validatePassword('Password', {}, { ...NONE, common: true })).toEqual([
      'This password is too common.',
    ]);
    expect(validatePassword(' QWERTY123 ', {}, { ...NONE, common: true })).toEqual([
      'This password is too common.',
    ]);
    expect(validatePassword('gatehouse-is-not-common', {}, { ...NONE, common: true })).toEqual([]);
  });

  it('refuses entirely numeric passwords in any script', () => {
    const numeric = { ...NONE, numeric: true };
    expect(validatePassword('83920174625', {}, numeric)).toEqual(['This password is entirely numeric.']);
    expect(validatePassword('١٢٣٤٥٦٧٨٩', {}, numeric)).toEqual(['This password is entirely numeric.']);
    expect(validatePassword('8392017462x', {}, numeric)).toEqual([]);
    expect(validatePassword('', {}, numeric)).toEqual([]);
  });

  it('compares with the username, the names and the email address, whole and in parts', () => {
    const similar = { ...NONE, similarity: true };
    expect(validatePassword('testclient', testclient, similar)).toEqual([
      'The password is too similar to the username.',
    ]);
    expect(validatePassword('TestClient', testclient, similar)).toEqual([
      'The password is too similar to the username.',
    ]);
    // 'example' is a part of the email address (Django's own test case).
    expect(validatePassword('example.com', testclient, similar)).toEqual([
      'The password is too similar to the email address.',
    ]);
    expect(validatePassword('xyzzy-chen', { email: 'xyzzy@chen.io' }, similar)).toEqual([
      'The password is too similar to the email address.',
    ]);
    expect(validatePassword('smithson', { lastName: 'Smithson' }, similar)).toEqual([
      'The password is too similar to the last name.',
    ]);
    expect(validatePassword('correct horse battery staple', testclient, similar)).toEqual([]);
    expect(validatePassword('testclient', {}, similar)).toEqual([]);
    expect(validatePassword('testclient', { username: null, email: '' }, similar)).toEqual([]);
  });

  it("skips values ten times shorter than the password, as Django's length shortcut does", () => {
    const similar = { ...NONE, similarity: true };
    expect(validatePassword('bob', { username: 'bo' }, similar)).toHaveLength(1);
    expect(
      validatePassword('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', { username: 'b' }, similar),
    ).toEqual([]);
  });

  it('turns each check off', () => {
    expect(validatePassword('1234', { username: '1234' }, NONE)).toEqual([]);
  });

  it('refuses a password over maxLength alone and before anything else', () => {
    expect(validatePassword('x'.repeat(1_000_000), {}, { ...ALL, maxLength: 1024 })).toEqual([
      'This password is too long. It must contain at most 1024 characters.',
    ]);
    expect(validatePassword('a long enough passphrase', {}, { ...ALL, maxLength: 24 })).toEqual([]);
  });

  it('gets maxLength from the password settings, so config.passwords.validators carries it', () => {
    const settings = passwordSettings.parse({ maxLength: 64, validators: { minLength: 10 } });
    expect(settings.validators).toEqual({
      minLength: 10,
      common: true,
      numeric: true,
      similarity: true,
      maxLength: 64,
    });
    expect(passwordSettings.parse({}).validators.maxLength).toBe(1024);
    expect(validatePassword('y'.repeat(65), {}, settings.validators)).toHaveLength(1);
  });
});

describe('quickRatio', () => {
  // Expected values from CPython's difflib.SequenceMatcher(a=…, b=…).quick_ratio().
  it.each([
    ['alice2024', 'alice', 0.7142857142857143],
    ['testclient', 'testclient', 1],
    ['example.com', 'testclient@example.com', 0.6666666666666666],
    ['abc', '', 0],
    ['', '', 1],
    ['pässwörd', 'passwort', 0.625],
    ['aaab', 'ab', 0.6666666666666666],
    ['😀😀x', '😀y', 0.4],
  ])('quickRatio(%j, %j) = %d', (a, b, expected) => {
    expect(quickRatio(a, b)).toBeCloseTo(expected, 12);
  });
});

describe('common password list', () => {
  it("loads Django's 19 727 passwords once (as Python's set of stripped lines counts them)", () => {
    const list = loadCommonPasswords();
    expect(list.size).toBe(19727);
    expect(loadCommonPasswords()).toBe(list);
    expect(list.has('')).toBe(false);
    expect(isCommonPassword('12345678')).toBe(true);
    expect(isCommonPassword('Tr0ub4dour&3-but-longer')).toBe(false);
  });
});
