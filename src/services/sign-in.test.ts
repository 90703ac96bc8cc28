import { generate } from 'otplib';
import { describe, expect, it, vi } from 'vitest';
import { testContext } from '../../test/helpers/gatehouse.js';
import type { GatehouseConfigInput } from '../core/config.js';
import { AuthenticationFailed, MfaFailed, MfaRequired, Throttled, ValidationError } from '../core/errors.js';
import { createAuthRequest } from '../core/request.js';
import { createThrottle } from '../core/throttle/throttle.js';
import type { UserRecord } from '../stores/types.js';
import { createMfa } from './mfa/service.js';
import {
  createSignIn,
  LOGIN_FAILED,
  loginFailed,
  NO_ACTIVE_ACCOUNT,
  noActiveAccount,
  type PasswordAttempt,
} from './sign-in.js';

const PW = 'correct horse battery staple';
const req = createAuthRequest({ method: 'POST', url: '/login', headers: {}, ip: '203.0.113.9' });

function setup(throttle: GatehouseConfigInput['throttle'] = {}) {
  const ctx = testContext({ throttle });
  const { clock } = ctx;
  const throttler = createThrottle(ctx);
  const mfa = createMfa({ ctx, throttle: throttler });
  const signIn = createSignIn({ ctx, throttle: throttler, mfa, passkeys: null });
  const user = async (username: string, isActive = true): Promise<UserRecord> =>
    ctx.stores.users.create({
      username,
      email: '',
      passwordHash: await ctx.passwords.hash(PW),
      isAdmin: false,
      isActive,
      dateJoined: ctx.clock.now(),
    });
  /** An attempt whose credential is a string, with its issue and undo observable. */
  const attempt = (over: Partial<PasswordAttempt<string>> = {}) => {
    const undo = vi.fn(async () => {});
    const issue = vi.fn(async (u: UserRecord) => ({ credential: `cred-${u.id}`, undo, detail: { id: 7 } }));
    const a: PasswordAttempt<string> = {
      req,
      route: '/api-token-auth/',
      username: 'alice',
      password: PW,
      scheme: 'token',
      refused: loginFailed,
      updateLastLogin: true,
      issue,
      ...over,
    };
    return { a, issue, undo };
  };
  const events = async () => (await ctx.stores.audit.list({ limit: 100 })).reverse();
  /** Turns TOTP on for a user; the secret, to compute codes with, and the recovery codes. */
  const enrol = async (u: UserRecord) => {
    const { secret } = await mfa.setupTotp(u);
    const codes = await mfa.confirmTotp(u, await codeAt(secret, clock.now()), req, 'session');
    // The confirming code's step is spent: the tests sign in a step later.
    clock.advance(30_000);
    return { secret, codes };
  };
  return { ctx, clock, signIn, user, attempt, events, enrol };
}

const codeAt = (secret: string, ms: number): Promise<string> =>
  generate({ secret, epoch: Math.floor(ms / 1000) });

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('signIn.withPassword', () => {
  it('issues once, records last_login, and audits the success after the credential exists', async () => {
    const t = await setup();
    const alice = await t.user('alice');
    const { a } = t.attempt({
      issue: vi.fn(async () => {
        // The success is not audited before the credential is stored and re-checked.
        expect((await t.events()).map((e) => e.event)).toEqual([]);
        return { credential: 'c', undo: async () => {}, detail: { sessionId: 's1' } };
      }),
    });
    const out = await t.signIn.withPassword({ ...a, scheme: 'session' });
    expect(out.credential).toBe('c');
    expect(out.user).toMatchObject({ id: alice.id, lastLogin: t.ctx.clock.now() });
    expect(a.issue).toHaveBeenCalledTimes(1);
    expect((await t.ctx.stores.users.findById(alice.id))?.lastLogin).toBe(t.ctx.clock.now());
    const [event, ...rest] = await t.events();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      event: 'login_succeeded',
      userId: alice.id,
      scheme: 'session',
      ip: '203.0.113.9',
      detail: { sessionId: 's1' },
    });
  });

  it('leaves last_login alone when the route does not record it (DRF token obtain)', async () => {
    const t = await setup();
    const alice = await t.user('alice');
    const out = await t.signIn.withPassword(t.attempt({ updateLastLogin: false }).a);
    expect(out.user.lastLogin).toBeNull();
    expect((await t.ctx.stores.users.findById(alice.id))?.lastLogin).toBeNull();
  });

  it('refuses a wrong password with the caller’s error, issues nothing, audits why', async () => {
    const t = await setup();
    await t.user('alice');
    const { a, issue } = t.attempt({ password: 'nope', refused: noActiveAccount, scheme: 'jwt' });
    const err = await failure(t.signIn.withPassword(a));
    expect(err).toBeInstanceOf(AuthenticationFailed);
    expect(err).toMatchObject({ message: NO_ACTIVE_ACCOUNT, code: 'no_active_account' });
    expect(issue).not.toHaveBeenCalled();
    expect(await t.events()).toEqual([
      expect.objectContaining({
        event: 'login_failed',
        userId: null,
        username: 'alice',
        scheme: 'jwt',
        detail: { reason: 'invalid_credentials' },
      }),
    ]);
  });

  it('costs an unknown username a dummy verify, and refuses it like a wrong password', async () => {
    const t = await setup();
    const dummy = vi.spyOn(t.ctx.passwords, 'dummyVerify');
    const { a, issue } = t.attempt({ username: 'nobody' });
    const err = await failure(t.signIn.withPassword(a));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual({ non_field_errors: [LOGIN_FAILED] });
    expect(dummy).toHaveBeenCalledWith(PW);
    expect(issue).not.toHaveBeenCalled();
  });

  it('refuses an inactive user’s right password without backing off', async () => {
    const t = await setup({ backoffAfter: 1 });
    await t.user('alice', false);
    for (let i = 0; i < 3; i++) {
      const { a, issue } = t.attempt();
      expect(await failure(t.signIn.withPassword(a))).toBeInstanceOf(ValidationError);
      expect(issue).not.toHaveBeenCalled();
    }
    const reasons = (await t.events()).map((e) => e.detail);
    expect(reasons).toEqual([{ reason: 'inactive' }, { reason: 'inactive' }, { reason: 'inactive' }]);
  });

  it('backs off after failed passwords, before any hashing, and a success starts it over', async () => {
    const t = await setup({ backoffAfter: 1 });
    await t.user('alice');
    await failure(t.signIn.withPassword(t.attempt({ password: 'nope' }).a));
    const verify = vi.spyOn(t.ctx.passwords, 'verify');
    const { a, issue } = t.attempt();
    expect(await failure(t.signIn.withPassword(a))).toBeInstanceOf(Throttled);
    expect(verify).not.toHaveBeenCalled();
    expect(issue).not.toHaveBeenCalled();
    t.clock.advance('1s');
    await t.signIn.withPassword(t.attempt().a);
    await failure(t.signIn.withPassword(t.attempt({ password: 'nope' }).a));
    t.clock.advance('1s');
    expect((await t.signIn.withPassword(t.attempt().a)).credential).toMatch(/^cred-/);
  });

  it('counts attempts per ip: over the rate, refused before the password is checked', async () => {
    const t = await setup({ login: '2/min', loginUsername: null });
    await t.user('alice');
    await t.signIn.withPassword(t.attempt().a);
    await t.signIn.withPassword(t.attempt({ username: 'bob' }).a).catch(() => {});
    const verify = vi.spyOn(t.ctx.passwords, 'verify');
    expect(await failure(t.signIn.withPassword(t.attempt().a))).toBeInstanceOf(Throttled);
    expect(verify).not.toHaveBeenCalled();
  });

  it('undoes what it issued when every credential ended meanwhile, and audits no success', async () => {
    const t = await setup();
    const alice = await t.user('alice');
    const { a, undo } = t.attempt();
    const issue = vi.fn(async (u: UserRecord) => {
      // A logout-everywhere lands while this login is writing its credential.
      await t.ctx.stores.users.setTokensValidAfter(u.id, t.ctx.clock.now());
      return { credential: 'c', undo };
    });
    const err = await failure(t.signIn.withPassword({ ...a, issue }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(undo).toHaveBeenCalledTimes(1);
    expect((await t.ctx.stores.users.findById(alice.id))?.lastLogin).toBeNull();
    expect(await t.events()).toEqual([
      expect.objectContaining({
        event: 'login_failed',
        userId: alice.id,
        scheme: 'token',
        detail: { reason: 'credentials_ended' },
      }),
    ]);
  });

  it('undoes it too when the user was deactivated meanwhile', async () => {
    const t = await setup();
    await t.user('alice');
    const { a, undo } = t.attempt();
    const issue = async (u: UserRecord) => {
      await t.ctx.stores.users.setActive(u.id, false);
      return { credential: 'c', undo };
    };
    expect(await failure(t.signIn.withPassword({ ...a, issue }))).toBeInstanceOf(ValidationError);
    expect(undo).toHaveBeenCalledTimes(1);
  });
});

describe('signIn with a second factor', () => {
  /** The first step: a right password answers mfa_required with a token, and issues nothing. */
  async function firstStep(t: ReturnType<typeof setup>, over: Partial<PasswordAttempt<string>> = {}) {
    const { a, issue } = t.attempt(over);
    const err = (await failure(t.signIn.withPassword(a))) as MfaRequired;
    expect(err).toBeInstanceOf(MfaRequired);
    expect(err.body()).toMatchObject({ code: 'mfa_required', methods: ['totp', 'recovery_code'] });
    expect(issue).not.toHaveBeenCalled();
    return err.mfaToken;
  }
  const second = (
    t: ReturnType<typeof setup>,
    mfaToken: string,
    code: string,
    route = '/api-token-auth/',
  ) => {
    const { a, issue } = t.attempt();
    const { username: _u, password: _p, ...rest } = a;
    return { issue, done: t.signIn.withSecondFactor({ ...rest, route, mfaToken, code }) };
  };

  it('issues nothing for the password alone, and issues on the same route with a current code, once', async () => {
    const t = setup();
    const { secret } = await t.enrol(await t.user('alice'));
    const token = await firstStep(t);
    const code = await codeAt(secret, t.clock.now());
    const { done, issue } = second(t, token, code);
    expect((await done).credential).toMatch(/^cred-/);
    expect(issue).toHaveBeenCalledOnce();
    // The token is spent, and so is the code (replay within its window).
    expect(await failure(second(t, token, code).done)).toMatchObject({ code: 'mfa_token_invalid' });
    const again = await firstStep(t);
    expect(await failure(second(t, again, code).done)).toMatchObject({ code: 'mfa_failed' });
    const events = (await t.events()).map((e) => e.event);
    expect(events).toEqual(
      expect.arrayContaining(['mfa_enabled', 'mfa_challenged', 'login_succeeded', 'mfa_failed']),
    );
  });

  it('accepts a step of drift either side, not two', async () => {
    const t = setup();
    const { secret } = await t.enrol(await t.user('alice'));
    t.clock.advance(120_000);
    const now = t.clock.now();
    for (const [offset, ok] of [
      [-30_000, true],
      [30_000, true],
      [-90_000, false],
      [90_000, false],
    ] as const) {
      const res = await failure(second(t, await firstStep(t), await codeAt(secret, now + offset)).done);
      expect(res === null, `offset ${offset}`).toBe(ok);
    }
  });

  it('answers a wrong code with a fresh token that still works, and refuses another route and an expired token', async () => {
    const t = setup();
    const { secret } = await t.enrol(await t.user('alice'));
    const wrong = (await failure(second(t, await firstStep(t), '000000').done)) as MfaFailed;
    expect(wrong).toBeInstanceOf(MfaFailed);
    expect(wrong.mfaToken).toEqual(expect.any(String));
    await second(t, wrong.mfaToken!, await codeAt(secret, t.clock.now())).done;

    const elsewhere = await firstStep(t);
    expect(await failure(second(t, elsewhere, '123456', '/api/token/').done)).toMatchObject({
      code: 'mfa_token_invalid',
    });
    const late = await firstStep(t);
    t.clock.advance(t.ctx.config.mfa.challengeTtl * 1000);
    expect(await failure(second(t, late, await codeAt(secret, t.clock.now())).done)).toMatchObject({
      code: 'mfa_token_invalid',
    });
  });

  it('ends a half-done sign-in when the credentials end meanwhile (password change, logout everywhere)', async () => {
    const t = setup();
    const alice = await t.user('alice');
    const { secret } = await t.enrol(alice);
    const token = await firstStep(t);
    t.clock.advance(1);
    await t.ctx.stores.users.setTokensValidAfter(alice.id, t.clock.now());
    t.clock.advance(1);
    const late = await failure(second(t, token, await codeAt(secret, t.clock.now())).done);
    expect(late).toMatchObject({ code: 'mfa_token_invalid' });
  });

  it('takes each recovery code once, in any case and with or without its dash', async () => {
    const t = setup();
    const { codes } = await t.enrol(await t.user('alice'));
    const code = codes[0]!;
    await second(t, await firstStep(t), ` ${code.toUpperCase().replace('-', '')} `).done;
    expect(await failure(second(t, await firstStep(t), code).done)).toMatchObject({ code: 'mfa_failed' });
    expect((await t.events()).map((e) => e.event)).toContain('recovery_code_used');
    expect(await t.ctx.stores.mfa.countRecoveryCodes(1)).toBe(9);
  });

  it('throttles wrong codes like passwords (429 before the code is checked)', async () => {
    const t = setup({ loginUsername: '3/min', backoffAfter: 0 });
    await t.enrol(await t.user('alice'));
    // One password; each wrong code hands back the next token to guess with. The confirming
    // code at enrolment counted too: two guesses left.
    let token = await firstStep(t);
    for (let i = 0; i < 2; i++)
      token = ((await failure(second(t, token, '000000').done)) as MfaFailed).mfaToken!;
    expect(await failure(second(t, token, '000000').done)).toBeInstanceOf(Throttled);
  });
});
