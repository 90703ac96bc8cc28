import type { Algorithm } from '@node-rs/argon2';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { djangoPasswordFixture } from '../../../test/helpers/fixtures.js';
import { createHashLimiter, HashingBusy } from './hash-limiter.js';
import { createPasswordHasher, type PasswordHashingOptions, PasswordTooLong } from './hasher.js';

// Made by Django 3.2's make_password (test/fixtures/generate.py); CI also runs this on fresh ones.
const fixture = djangoPasswordFixture();

// Tiny argon2 costs keep the suite fast; the Django fixtures carry their own costs.
function options(overrides: Partial<PasswordHashingOptions> = {}): PasswordHashingOptions {
  return {
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    maxConcurrentHashes: 4,
    maxQueuedHashes: 64,
    maxLength: 1024,
    ...overrides,
  };
}

describe('createPasswordHasher: argon2id', () => {
  const hasher = createPasswordHasher(options());

  it('hashes to an argon2id PHC string with the configured params and verifies it', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse battery staple', stored)).toEqual({
      ok: true,
      needsRehash: false,
    });
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same')).not.toBe(await hasher.hash('same'));
  });

  it('refuses a wrong password', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify('correct horse battery stapler', stored)).toEqual({
      ok: false,
      needsRehash: false,
    });
    expect(await hasher.verify('', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('round-trips unicode and the empty password', async () => {
    const stored = await hasher.hash(fixture.unicode_password);
    expect((await hasher.verify(fixture.unicode_password, stored)).ok).toBe(true);
    expect((await hasher.verify(fixture.unicode_password.normalize('NFD'), stored)).ok).toBe(false);
    expect((await hasher.verify('', await hasher.hash(''))).ok).toBe(true);
  });

  it('asks for a rehash when the stored params are weaker than configured, not when stronger', async () => {
    const stored = await hasher.hash('pw');
    const moreMemory = createPasswordHasher(
      options({ argon2: { memoryCost: 2048, timeCost: 1, parallelism: 1 } }),
    );
    const moreTime = createPasswordHasher(
      options({ argon2: { memoryCost: 1024, timeCost: 2, parallelism: 1 } }),
    );
    expect(await moreMemory.verify('pw', stored)).toEqual({ ok: true, needsRehash: true });
    expect(await moreTime.verify('pw', stored)).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('pw', await moreMemory.hash('pw'))).toEqual({ ok: true, needsRehash: false });
  });

  it('asks for a rehash of argon2i and of short salts or tags', async () => {
    const argon2i = await argon2Hash('pw', { algorithm: 1 as Algorithm, memoryCost: 1024, timeCost: 1 });
    expect(argon2i.startsWith('$argon2i$')).toBe(true);
    expect(await hasher.verify('pw', argon2i)).toEqual({ ok: true, needsRehash: true });
    const shortTag = await argon2Hash('pw', { memoryCost: 1024, timeCost: 1, outputLen: 16 });
    expect(await hasher.verify('pw', shortTag)).toEqual({ ok: true, needsRehash: true });
  });
});

describe('createPasswordHasher: Django formats', () => {
  const hasher = createPasswordHasher(options());
  const formats = ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256'] as const;

  for (const format of formats) {
    it(`verifies Django's ${format} and asks for an upgrade`, async () => {
      const stored = fixture.hashes[format];
      expect(await hasher.verify(fixture.password, stored)).toEqual({ ok: true, needsRehash: true });
      expect(await hasher.verify(fixture.wrong_password, stored)).toEqual({ ok: false, needsRehash: false });
    });
  }

  it('verifies the unicode fixture (UTF-8 password bytes)', async () => {
    const stored = fixture.hashes.pbkdf2_sha256_unicode;
    expect(await hasher.verify(fixture.unicode_password, stored)).toEqual({ ok: true, needsRehash: true });
    expect((await hasher.verify(fixture.password, stored)).ok).toBe(false);
  });

  it("verifies Django's plain bcrypt and bcrypt_sha256 at any sane cost", async () => {
    expect(await hasher.verify('pw', `bcrypt$${await bcryptHash('pw', 4)}`)).toEqual({
      ok: true,
      needsRehash: true,
    });
    const hex = '30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4'; // sha256('pw')
    const stored = `bcrypt_sha256$${await bcryptHash(hex, 4)}`;
    expect(await hasher.verify('pw', stored)).toEqual({ ok: true, needsRehash: true });
    expect((await hasher.verify('pW', stored)).ok).toBe(false);
  });
});

describe('createPasswordHasher: unusable and garbled hashes', () => {
  const hasher = createPasswordHasher(options());
  const garbage = [
    '',
    '!',
    '!Xm3kR9tQ2vL8wP4zN7bC1dF6gH0jK5sA3eY2uI9o', // Django's set_unusable_password()
    'plaintext',
    '$',
    '$argon2id$',
    '$argon2id$v=19$m=1024,t=1,p=1$bm90IGEgc2FsdA$',
    '$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$0c5pQdeSLtr3FS2kVqkMHQ', // 4 GiB
    'argon2$argon2x$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA',
    'argon2$argon2id$v=19$m=102400,t=2,p=8$WDE4bVRIR25ac1VzbXlXNE55MTMyYQ$!!!',
    'pbkdf2_sha256$',
    'pbkdf2_sha256$abc$salt$aCgLOTNik9qDCkwp2h+3kRf4wI+EJljOqjQY5HKPcm4=',
    'pbkdf2_sha256$0$salt$aCgLOTNik9qDCkwp2h+3kRf4wI+EJljOqjQY5HKPcm4=',
    'pbkdf2_sha256$999999999$salt$aCgLOTNik9qDCkwp2h+3kRf4wI+EJljOqjQY5HKPcm4=',
    'pbkdf2_sha256$260000$salt$not base64!',
    'pbkdf2_sha256$260000$salt$c2hvcnQ=', // wrong digest length
    'pbkdf2_sha256$260000$tyLYpiQdovRQEZUYJ4VT4q$aCgLOTNik9qDCkwp2h+3kRf4wI+EJljOqjQY5HKPcm4=$extra',
    'pbkdf2_sha512$260000$salt$aCgLOTNik9qDCkwp2h+3kRf4wI+EJljOqjQY5HKPcm4=',
    'bcrypt_sha256$$2b$31$7h1O2Sh0Wp92/mKdJJHW3O84PjX9zw6MJykrPavJqRz6vgpR.7KI6', // cost 31 runs for days
    'bcrypt_sha256$$2b$12$short',
    'md5$salt$0123456789abcdef0123456789abcdef',
    'sha1$$aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d',
    `!${fixture.hashes.pbkdf2_sha256}`,
  ];

  it.each(garbage)('verifies %j as false without throwing', async (stored) => {
    expect(await hasher.verify(fixture.password, stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('treats a hash that is not a string as unusable', async () => {
    expect(await hasher.verify('pw', null as unknown as string)).toEqual({ ok: false, needsRehash: false });
  });

  it('spends a real argon2 verify on an unusable hash (it takes a hashing slot)', async () => {
    const one = createPasswordHasher(options({ maxConcurrentHashes: 1, maxQueuedHashes: 0 }));
    const running = one.hash('occupies the only slot');
    await expect(one.verify('pw', '!unusable')).rejects.toBeInstanceOf(HashingBusy);
    await running;
    expect(await one.verify('pw', '!unusable')).toEqual({ ok: false, needsRehash: false });
  });
});

describe('createPasswordHasher: bounds', () => {
  it('refuses to hash a password over maxLength and verifies one as false without hashing', async () => {
    const hasher = createPasswordHasher(
      options({ maxLength: 16, maxConcurrentHashes: 1, maxQueuedHashes: 0 }),
    );
    await expect(hasher.hash('x'.repeat(17))).rejects.toBeInstanceOf(PasswordTooLong);
    const stored = await hasher.hash('x'.repeat(16));
    expect((await hasher.verify('x'.repeat(16), stored)).ok).toBe(true);
    // With the only slot taken, a long password is still answered at once: no hashing at all.
    const running = hasher.hash('busy');
    expect(await hasher.verify('x'.repeat(1_000_000), stored)).toEqual({ ok: false, needsRehash: false });
    await expect(hasher.dummyVerify('x'.repeat(1_000_000))).resolves.toBeUndefined();
    await running;
  });

  it('rejects with HashingBusy once the running and waiting slots are full', async () => {
    const hasher = createPasswordHasher(options({ maxConcurrentHashes: 1, maxQueuedHashes: 1 }));
    const first = hasher.hash('a');
    const second = hasher.hash('b');
    await expect(hasher.hash('c')).rejects.toBeInstanceOf(HashingBusy);
    await expect(hasher.verify('c', fixture.hashes.pbkdf2_sha256)).rejects.toBeInstanceOf(HashingBusy);
    await expect(hasher.dummyVerify('c')).rejects.toBeInstanceOf(HashingBusy);
    const [a, b] = await Promise.all([first, second]);
    expect((await hasher.verify('a', a)).ok).toBe(true);
    expect((await hasher.verify('b', b)).ok).toBe(true);
  });

  it('dummyVerify resolves, again and concurrently', async () => {
    const hasher = createPasswordHasher(options());
    await expect(Promise.all([hasher.dummyVerify('a'), hasher.dummyVerify('b')])).resolves.toEqual([
      undefined,
      undefined,
    ]);
    await expect(hasher.dummyVerify('c')).resolves.toBeUndefined();
  });

  it('checks its options once, at construction', () => {
    expect(() => createPasswordHasher(options({ maxConcurrentHashes: 0 }))).toThrow(RangeError);
    expect(() => createPasswordHasher(options({ maxQueuedHashes: -1 }))).toThrow(RangeError);
    expect(() => createPasswordHasher(options({ maxLength: 0 }))).toThrow(RangeError);
    expect(() =>
      createPasswordHasher(options({ argon2: { memoryCost: 4, timeCost: 1, parallelism: 1 } })),
    ).toThrow(/memoryCost/);
  });
});

describe('createHashLimiter', () => {
  function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('runs at most maxConcurrent at once, first come first served, and frees slots on failure', async () => {
    const limiter = createHashLimiter(2, 2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let peak = 0;
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        peak = Math.max(peak, limiter.active);
        await gate.promise;
        return i;
      }),
    );
    await expect(limiter.run(async () => 'late')).rejects.toBeInstanceOf(HashingBusy);
    expect([limiter.active, limiter.queued]).toEqual([2, 2]);
    gates[0]!.reject(new Error('boom'));
    await expect(runs[0]).rejects.toThrow('boom');
    gates[1]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect([limiter.active, limiter.queued]).toEqual([0, 0]);
  });
});
