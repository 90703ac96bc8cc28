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
