import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMMITTED_FIXTURES_DIR,
  djangoPasswordFixture,
  FIXTURES_ENV,
  fixturesDir,
  simplejwtFixture,
} from '../helpers/fixtures.js';
import { tempProject } from '../helpers/temp.js';

describe('interop fixtures: committed in the repo, replaceable through GATEHOUSE_FIXTURES_DIR', () => {
  it('reads the committed copies by default, which the real Django and simplejwt made', () => {
    expect(fixturesDir({})).toBe(COMMITTED_FIXTURES_DIR);
    expect(fixturesDir({ [FIXTURES_ENV]: '' })).toBe(COMMITTED_FIXTURES_DIR);
    expect(djangoPasswordFixture({}).generator).toMatch(/^Django 3\.2\.\d+ make_password$/);
    expect(simplejwtFixture({}).generator).toMatch(/^djangorestframework-simplejwt 5\.2\.\d+$/);
  });

  it('reads the folder the variable names instead', () => {
    const dir = tempProject();
    cpSync(COMMITTED_FIXTURES_DIR, dir, { recursive: true });
    const file = join(dir, 'simplejwt', 'tokens.json');
    const tokens = JSON.parse(readFileSync(file, 'utf8')) as { user_id: number };
    writeFileSync(file, JSON.stringify({ ...tokens, user_id: 7 }));
    const env = { [FIXTURES_ENV]: dir };
    expect(fixturesDir(env)).toBe(dir);
    expect(simplejwtFixture(env).user_id).toBe(7);
    expect(djangoPasswordFixture(env).password).toBe(djangoPasswordFixture({}).password);
  });

  it('refuses a folder that does not exist or lacks a file, rather than falling back', () => {
    const missing = join(tempProject(), 'nope');
    expect(() => fixturesDir({ [FIXTURES_ENV]: missing })).toThrow(
      `${FIXTURES_ENV}=${missing}: no such folder`,
    );
    const empty = tempProject();
    mkdirSync(join(empty, 'django'));
    expect(() => simplejwtFixture({ [FIXTURES_ENV]: empty })).toThrow(
      /missing fixture .*simplejwt\/tokens\.json/,
    );
  });
});
