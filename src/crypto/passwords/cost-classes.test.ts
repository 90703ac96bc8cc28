import { pbkdf2Sync } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import * as django from './django-hashes.js';
import { createPasswordHasher } from './hasher.js';

// Which hash work each path of a login does, counted at the primitives (no timing thresholds):
// an unknown user, a native argon2id user and a user imported from Django must do the same.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...actual, verify: vi.fn(actual.verify) };
});
vi.mock('./django-hashes.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./django-hashes.js')>();
  return {
    ...actual,
    verifyPbkdf2: vi.fn(actual.verifyPbkdf2),
    verifyDjangoBcrypt: vi.fn(actual.verifyDjangoBcrypt),
  };
});

const PW = 'correct horse battery staple';
const pbkdf2Hash = (password: string, iterations: number) =>
  `pbkdf2_sha256$${iterations}$somesalt$${pbkdf2Sync(password, 'somesalt', iterations, 32, 'sha256').toString('base64')}`;

const hasher = () =>
  createPasswordHasher({
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    maxConcurrentHashes: 2,
    maxQueuedHashes: 16,
    maxLength: 1024,
  });

/** The work one call did: argon2 verifies, pbkdf2 runs (with their iterations), bcrypt runs. */
async function work(run: () => Promise<unknown>) {
  vi.clearAllMocks();
  await run();
  return {
    argon2: vi.mocked(argon2.verify).mock.calls.length,
    pbkdf2: vi.mocked(django.verifyPbkdf2).mock.calls.map(([, hash]) => hash.iterations),
    bcrypt: vi.mocked(django.verifyDjangoBcrypt).mock.calls.map(([, hash]) => hash.cost),
  };
}

describe('equal hash work on every login path (docs/SECURITY.md, "Imported Django hashes")', () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it('once a Django pbkdf2 hash was checked, an unknown and a native user pay a pbkdf2 of its cost too', async () => {
    const h = hasher();
    const native = await h.hash(PW);
    const imported = pbkdf2Hash(PW, 3000);
    // Nothing imported seen yet: argon2 only.
    expect(await work(() => h.dummyVerify('guess'))).toEqual({ argon2: 1, pbkdf2: [], bcrypt: [] });
    // The imported user: its pbkdf2, and the argon2 an unknown user pays.
    expect(await work(() => h.verify('guess', imported))).toEqual({ argon2: 1, pbkdf2: [3000], bcrypt: [] });
    // From now on every path does argon2 + pbkdf2(3000).
    const even = { argon2: 1, pbkdf2: [3000], bcrypt: [] };
    expect(await work(() => h.dummyVerify('guess'))).toEqual(even);
    expect(await work(() => h.verify('guess', native))).toEqual(even);
    expect(await work(() => h.verify(PW, native))).toEqual(even);
    expect(await work(() => h.verify('guess', '!unusable'))).toEqual(even);
    expect(await work(() => h.verify(PW, imported))).toEqual(even);
    // A costlier import raises the dummy to its cost; a cheaper one does not lower it.
    await h.verify('guess', pbkdf2Hash(PW, 5000));
    await h.verify('guess', pbkdf2Hash(PW, 1000));
    expect(await work(() => h.dummyVerify('guess'))).toEqual({ argon2: 1, pbkdf2: [5000], bcrypt: [] });
    // The dummy never matches: the right password of no account is still a miss.
    expect(await h.verify(PW, '!unusable')).toEqual({ ok: false, needsRehash: false });
  });

  it('bcrypt imports join the classes every path pays', async () => {
    const h = hasher();
    const imported = `bcrypt$${await bcryptHash(PW, 5)}`;
    expect(await h.verify(PW, imported)).toEqual({ ok: true, needsRehash: true });
    expect(await work(() => h.dummyVerify('guess'))).toEqual({ argon2: 1, pbkdf2: [], bcrypt: [5] });
    expect(await work(() => h.verify('guess', imported))).toEqual({ argon2: 1, pbkdf2: [], bcrypt: [5] });
    await h.verify('guess', pbkdf2Hash(PW, 2000));
    expect(await work(() => h.verify('guess', imported))).toEqual({ argon2: 1, pbkdf2: [2000], bcrypt: [5] });
  });

  it('through a login route: an imported user, a native one and an unknown name cost the same work', async () => {
    const t = await makeGatehouse({ authentication: ['token'] });
    await t.user('alice', PW);
    const imported = await t.user('ian', PW);
    await t.stores.users.setPassword(imported.id, pbkdf2Hash(PW, 3000));
    const login = (username: string) => () =>
      t.call('POST', '/api-token-auth/', { body: { username, password: 'wrong guess' } });
    expect(await work(login('ian'))).toEqual({ argon2: 1, pbkdf2: [3000], bcrypt: [] });
    expect(await work(login('nobody'))).toEqual({ argon2: 1, pbkdf2: [3000], bcrypt: [] });
    expect(await work(login('alice'))).toEqual({ argon2: 1, pbkdf2: [3000], bcrypt: [] });
  });
});
