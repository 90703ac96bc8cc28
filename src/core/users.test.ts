import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../test/helpers/gatehouse.js';
import { ValidationError } from './errors.js';
import { activateUser, createUser, emailProblem } from './users.js';

const PW = 'correct horse battery staple';

describe('createUser', () => {
  it('refuses a malformed email address as a field error, whoever calls it', async () => {
    const t = await makeGatehouse();
    const err = await createUser(t.gh.ctx, { username: 'ann', password: PW, email: 'notanemail' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual({ email: ['Enter a valid email address.'] });
    expect(await t.stores.users.findByUsername('ann')).toBeNull();
    const ok = await createUser(t.gh.ctx, { username: 'ann', password: PW, email: 'ann@example.com' });
    expect(ok.email).toBe('ann@example.com');
  });

  it('stores the username NFKC normalised, so a look-alike of a taken name is taken', async () => {
    const t = await makeGatehouse();
    const admin = await createUser(t.gh.ctx, { username: 'ａｄｍｉｎ', password: PW });
    expect(admin.username).toBe('admin');
    for (const username of ['admin', 'ａｄｍｉｎ']) {
      const err = await createUser(t.gh.ctx, { username, password: PW }).catch((e: unknown) => e);
      expect((err as ValidationError).fields).toEqual({
        username: ['A user with that username already exists.'],
      });
    }
    // Roman numeral one folds to I: it can no longer sit beside an existing 'adIin'.
    await createUser(t.gh.ctx, { username: 'adIin', password: PW });
    const err = await createUser(t.gh.ctx, { username: 'adⅠin', password: PW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(await t.stores.users.count()).toBe(2);
  });

  it('refuses a NUL character or more than 150 characters as a field error', async () => {
    const t = await makeGatehouse();
    for (const [username, message] of [
      ['ad\0min', 'Null characters are not allowed.'],
      ['x'.repeat(151), 'Ensure this field has no more than 150 characters.'],
    ]) {
      const err = await createUser(t.gh.ctx, { username: username!, password: PW }).catch((e: unknown) => e);
      expect((err as ValidationError).fields).toEqual({ username: [message] });
    }
    expect(await t.stores.users.count()).toBe(0);
  });

  it('accepts no address, and refuses one longer than Django allows', () => {
    expect(emailProblem('')).toBeNull();
    expect(emailProblem(`${'a'.repeat(250)}@example.com`)).toMatch(/no more than 254 characters/);
  });
});

describe('activateUser', () => {
  it('lets a deactivated user in again and records it in the audit trail', async () => {
    const t = await makeGatehouse();
    const user = await t.user('bea', PW, { isActive: false });
    await activateUser(t.gh.ctx, user);
    expect((await t.stores.users.findById(user.id))?.isActive).toBe(true);
    const [event] = await t.stores.audit.list({ limit: 1 });
    expect(event).toMatchObject({ event: 'user_activated', userId: user.id, username: 'bea' });
  });
});
