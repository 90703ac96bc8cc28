import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { EMAIL_TAKEN } from '../../src/core/users.js';
import { BAD_LINK } from '../../src/services/mail/flows.js';
import { describeUnavailable } from '../helpers/required.js';
import { linkIn, SMTP_USER, startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { tempProject } from '../helpers/temp.js';
import { POSTGRES_URL } from '../stores/backends.js';
import { basic, send } from './http.js';
import { PASSWORD, POSTGRES_SERVER, type RunningTarget, TARGETS, type Target } from './targets.js';

const NEW_PASSWORD = 'a brand new passphrase 42';
const FROM = 'no-reply@example.com';

/** Every target of the contract suite, and the standalone server on PostgreSQL. */
const ALL: readonly { label: string; target: Target }[] = [
  ...TARGETS.map((target) => ({ label: target.name, target })),
  ...(POSTGRES_URL ? [{ label: 'server on postgres', target: POSTGRES_SERVER }] : []),
];
if (!POSTGRES_URL)
  describeUnavailable('mail flows on postgres', 'GATEHOUSE_TEST_POSTGRES_URL is not set', ['postgres']);

/** Starts a real SMTP server, then the target sending through it, for the enclosing describe. */
function withSmtp(target: Target, config: Partial<GatehouseConfigInput> = {}) {
  let smtp: TestSmtp | undefined;
  let running: RunningTarget | undefined;
  beforeAll(async () => {
    smtp = await startSmtp();
    running = await target.start({
      signup: true,
      authentication: ['basic'],
      ...config,
      email: { url: smtp.url, from: FROM, ...config.email },
    });
  });
  afterAll(async () => {
    await running?.gh.services.mailer.idle();
    await running?.close();
    await smtp?.close();
  });
  return { t: () => running!, smtp: () => smtp! };
}

const post = (t: RunningTarget, path: string, body: unknown, headers: Record<string, string> = {}) =>
  send('POST', `${t.base}${path}`, { body, headers });

describe.each(ALL)('mail flows on $label', ({ target }) => {
  const { t, smtp } = withSmtp(target, { throttle: { email: '1000/hour' } });

  it('reset: a known and an unknown address get one answer; the link sets a new password and ends every credential', async () => {
    const ann = await t().user('ann', { email: 'ann@example.com' });
    const known = await post(t(), '/api/auth/password/reset/', { email: 'Ann@EXAMPLE.com' });
    const unknown = await post(t(), '/api/auth/password/reset', { email: 'nobody@example.com' });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);

    const mail = await smtp().waitFor('ann@example.com');
    // Over STARTTLS (the server takes AUTH only over TLS), from the configured address.
    expect(mail).toMatchObject({ secure: true, user: SMTP_USER, from: FROM, subject: 'Reset your password' });
    const { url, uid, token } = linkIn(mail);
    expect(url.pathname).toBe('/reset-password');
    expect(mail.html).toContain(`token=${token}`);
    await t().gh.services.mailer.idle();
    expect(smtp().to('nobody@example.com')).toEqual([]);

    // The validators apply, and a refused password leaves the link alive.
    const weak = await post(t(), '/api/auth/password/reset/confirm/', { uid, token, new_password: '123' });
    expect(weak.status).toBe(400);
    expect(Object.keys(weak.body as object)).toEqual(['new_password']);
    const done = await post(t(), '/api/auth/password/reset/confirm', {
      uid,
      token,
      new_password: NEW_PASSWORD,
    });
    expect(done.status).toBe(200);
    expect((await send('GET', `${t().base}/api/me/`, { headers: basic('ann', NEW_PASSWORD) })).status).toBe(
      200,
    );
    expect((await send('GET', `${t().base}/api/me/`, { headers: basic('ann', PASSWORD) })).status).toBe(401);
    const after = await t().gh.ctx.stores.users.findById(ann.id);
    expect(after?.tokensValidAfter).toBe(t().clock.now());
    // Following the link proved the address is ann's.
    expect(after?.emailVerified).toBe(true);
    const events = await t().gh.ctx.stores.audit.list({ userId: ann.id, limit: 50 });
    expect(events.map((e) => e.event)).toContain('password_reset');

    // Used once: the password hash it was bound to is gone.
    const again = await post(t(), '/api/auth/password/reset/confirm/', {
      uid,
      token,
      new_password: NEW_PASSWORD,
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ token: [BAD_LINK] });
  });

  it('verification: sign-up mails a link; following it verifies the address, which /api/me/ shows', async () => {
    const created = await post(t(), '/api/auth/register/', {
      username: 'bea',
      password: PASSWORD,
      email: 'bea@example.com',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'bea@example.com', email_verified: false });
    const { url, uid, token } = linkIn(await smtp().waitFor('bea@example.com'));
    expect(url.pathname).toBe('/verify-email');
    const verified = await post(t(), '/api/auth/email/verify/', { uid, token });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ username: 'bea', email_verified: true });
    const me = await send('GET', `${t().base}/api/me/`, { headers: basic('bea', PASSWORD) });
    expect(me.body).toMatchObject({ email: 'bea@example.com', email_verified: true });
    expect((await post(t(), '/api/auth/email/verify', { uid, token })).body).toEqual({ token: [BAD_LINK] });

    // A verified address gets no new link, and the answer does not say so.
    const resend = await post(t(), '/api/auth/email/verify/resend/', { email: 'bea@example.com' });
    expect(resend.status).toBe(202);
    await t().gh.services.mailer.idle();
    expect(smtp().to('bea@example.com')).toHaveLength(1);
  });

  it('resend mails a new link to an unverified address, the same answer as for an unknown one', async () => {
    await t().user('cole', { email: 'cole@example.com' });
    const known = await post(t(), '/api/auth/email/verify/resend/', { email: 'cole@example.com' });
    const unknown = await post(t(), '/api/auth/email/verify/resend/', { email: 'nobody.else@example.com' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(known.body);
    const { uid, token } = linkIn(await smtp().waitFor('cole@example.com'));
    expect((await post(t(), '/api/auth/email/verify/', { uid, token })).status).toBe(200);
  });

  it('email change: with the password, the link mailed to the new address changes it; the old one gets a notice', async () => {
    const dora = await t().user('dora', { email: 'dora@example.com' });
    const auth = basic('dora', PASSWORD);
    const wrong = await post(
      t(),
      '/api/auth/email/change/',
      { email: 'dora@new.example', password: 'nope' },
      auth,
    );
    expect(wrong.status).toBe(400);
    expect(Object.keys(wrong.body as object)).toEqual(['password']);
    const anon = await post(t(), '/api/auth/email/change/', {
      email: 'dora@new.example',
      password: PASSWORD,
    });
    expect(anon.status).toBe(401);

    const asked = await post(
      t(),
      '/api/auth/email/change/',
      { email: 'Dora@NEW.example', password: PASSWORD },
      auth,
    );
    expect(asked.status).toBe(202);
    const { uid, token } = linkIn(await smtp().waitFor('Dora@new.example'));
    const notice = await smtp().waitFor('dora@example.com');
    expect(notice.text).toContain('Dora@new.example');
    expect(notice.text).not.toMatch(/https?:\/\//);
    // Nothing changes until the new address proves it is the user's.
    expect((await t().gh.ctx.stores.users.findById(dora.id))?.email).toBe('dora@example.com');

    const confirmed = await post(t(), '/api/auth/email/verify/', { uid, token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ email: 'Dora@new.example', email_verified: true });
    expect((await post(t(), '/api/auth/email/verify/', { uid, token })).body).toEqual({ token: [BAD_LINK] });
  });

  it('sends off the request path: a stalled SMTP server does not hold the answer', async () => {
    await t().user('eve', { email: 'eve@example.com' });
    const release = smtp().stall();
    try {
      const res = await post(t(), '/api/auth/password/reset/', { email: 'eve@example.com' });
      expect(res.status).toBe(202);
      expect(smtp().to('eve@example.com')).toEqual([]);
    } finally {
      release();
    }
    await smtp().waitFor('eve@example.com');
  });

  it('retries a delivery the server refused for now, and the caller never knows', async () => {
    await t().user('finn', { email: 'finn@example.com' });
    smtp().failNext(1);
    const res = await post(t(), '/api/auth/password/reset/', { email: 'finn@example.com' });
    expect(res.status).toBe(202);
    const mail = await smtp().waitFor('finn@example.com');
    expect(linkIn(mail).token).not.toBe('');
  });

  it('answers DRF field errors for missing or malformed input', async () => {
    const empty = await post(t(), '/api/auth/password/reset/', {});
    expect(empty).toMatchObject({ status: 400, body: { email: ['This field is required.'] } });
    const bad = await post(t(), '/api/auth/password/reset/', { email: 'not an address' });
    expect(bad).toMatchObject({ status: 400, body: { email: ['Enter a valid email address.'] } });
    const garbage = await post(t(), '/api/auth/email/verify/', { uid: '!!', token: 'x' });
    expect(garbage).toMatchObject({ status: 400, body: { token: [BAD_LINK] } });
  });
});

describe.each(TARGETS.filter((x) => x.name === 'server' || x.name === 'fastify'))(
  'mail queued at shutdown on $name',
  (target) => {
    it('is delivered before close() resolves, its retry not waiting out the pause', async () => {
      const smtp = await startSmtp();
      try {
        const t = await target.start({ authentication: ['basic'], email: { url: smtp.url, from: FROM } });
        await t.user('kit', { email: 'kit@example.com' });
        // Refused once: the retry is a second away when the server is told to stop.
        smtp.failNext(1);
        expect((await post(t, '/api/auth/password/reset/', { email: 'kit@example.com' })).status).toBe(202);
        await t.close();
        expect(smtp.to('kit@example.com')).toHaveLength(1);
      } finally {
        await smtp.close();
      }
    });
  },
);

describe.each(ALL)('email.unique on $label', ({ target }) => {
  const { t, smtp } = withSmtp(target, { throttle: { email: '1000/hour', register: '1000/hour' } });

  it('gives an address to one of many sign-ups sent at once', async () => {
    // Each passes the check before its password is hashed; the store decides at the insert.
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(t(), '/api/auth/register/', {
          username: `racer${i}`,
          password: PASSWORD,
          email: 'race@example.com',
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201))
      expect(a).toMatchObject({ status: 400, body: { email: [EMAIL_TAKEN] } });
    expect(await t().gh.ctx.stores.users.findByEmail!('race@example.com')).toHaveLength(1);
  });

  it('refuses an address another user has at sign-up, and at the confirmation of an email change', async () => {
    await t().user('max', { email: 'max@example.com' });
    const taken = await post(t(), '/api/auth/register/', {
      username: 'mia',
      password: PASSWORD,
      email: 'MAX@example.com',
    });
    expect(taken).toMatchObject({ status: 400, body: { email: [EMAIL_TAKEN] } });

    await t().user('ned', { email: 'ned@example.com' });
    // Asking says nothing about the address; only the link's holder learns it is taken.
    const asked = await post(
      t(),
      '/api/auth/email/change/',
      { email: 'max@example.com', password: PASSWORD },
      basic('ned', PASSWORD),
    );
    expect(asked.status).toBe(202);
    const { uid, token } = linkIn(
      await smtp().waitFor('max@example.com', (m) => m.subject.includes('new email')),
    );
    const refused = await post(t(), '/api/auth/email/verify/', { uid, token });
    expect(refused).toMatchObject({ status: 400, body: { email: [EMAIL_TAKEN] } });
  });
});

describe.each(TARGETS.filter((x) => x.name === 'server'))('email.unique off on $name', (target) => {
  const { t } = withSmtp(target, { email: { unique: false } });

  it('lets two users share an address', async () => {
    await t().user('ora', { email: 'ora@example.com' });
    const res = await post(t(), '/api/auth/register/', {
      username: 'oz',
      password: PASSWORD,
      email: 'ora@example.com',
    });
    expect(res.status).toBe(201);
  });
});

describe.each(TARGETS)('email.requireVerified on $name', (target) => {
  const { t, smtp } = withSmtp(target, { email: { requireVerified: true } });

  it('refuses sign-in with email_not_verified until the link is followed, and only after the right password', async () => {
    await t().user('gus', { email: 'gus@example.com' });
    const refused = await send('GET', `${t().base}/api/me/`, { headers: basic('gus', PASSWORD) });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'email_not_verified' });
    const wrong = await send('GET', `${t().base}/api/me/`, { headers: basic('gus', 'wrong password') });
    expect(wrong.status).toBe(401);

    await post(t(), '/api/auth/email/verify/resend/', { email: 'gus@example.com' });
    const { uid, token } = linkIn(await smtp().waitFor('gus@example.com'));
    expect((await post(t(), '/api/auth/email/verify/', { uid, token })).status).toBe(200);
    expect((await send('GET', `${t().base}/api/me/`, { headers: basic('gus', PASSWORD) })).status).toBe(200);
  });
});

describe.each(ALL)('login.fields on $label', ({ target }) => {
  const { t } = withSmtp(target, { login: { fields: ['username', 'email'] } });

  it('signs in with the address, ignoring case, or the username; an address two accounts share signs in neither', async () => {
    await t().user('jo', { email: 'jo@example.com' });
    for (const name of ['jo', 'JO@Example.com']) {
      const res = await send('GET', `${t().base}/api/me/`, { headers: basic(name, PASSWORD) });
      expect(res.status, name).toBe(200);
      expect(res.body).toMatchObject({ username: 'jo' });
    }
    await t().user('kim', { email: 'shared@example.com' });
    await t().user('kit', { email: 'shared@example.com' });
    const shared = await send('GET', `${t().base}/api/me/`, {
      headers: basic('shared@example.com', PASSWORD),
    });
    expect(shared.status).toBe(401);
  });
});

describe.each(TARGETS.filter((x) => x.name === 'server'))('login.fields by default on $name', (target) => {
  const { t } = withSmtp(target);

  it('takes the username only, as Django does', async () => {
    await t().user('lou', { email: 'lou@example.com' });
    const res = await send('GET', `${t().base}/api/me/`, { headers: basic('lou@example.com', PASSWORD) });
    expect(res.status).toBe(401);
  });
});

describe('mail flow throttles', () => {
  const { t, smtp } = withSmtp(TARGETS[0]!, { throttle: { email: '4/hour', emailAddress: '1/hour' } });

  it('per address: past the rate the answer is the same 202 and no mail goes; per ip: 429', async () => {
    await t().user('hal', { email: 'hal@example.com' });
    const first = await post(t(), '/api/auth/password/reset/', { email: 'hal@example.com' });
    const second = await post(t(), '/api/auth/password/reset/', { email: 'hal@example.com' });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toEqual(first.body);
    await smtp().waitFor('hal@example.com');
    await t().gh.services.mailer.idle();
    expect(smtp().to('hal@example.com')).toHaveLength(1);

    await post(t(), '/api/auth/email/verify/resend/', { email: 'x1@example.com' });
    await post(t(), '/api/auth/email/verify/resend/', { email: 'x2@example.com' });
    const over = await post(t(), '/api/auth/password/reset/', { email: 'x3@example.com' });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'throttled' });
  });
});

describe.each(TARGETS.filter((x) => x.name === 'server' || x.name === 'hono'))(
  'outbox on $name',
  (target) => {
    const outbox = join(tempProject(), 'outbox');
    let running: RunningTarget | undefined;
    beforeAll(async () => {
      running = await target.start({ authentication: ['basic'], email: { outbox } });
    });
    afterAll(async () => {
      await running?.close();
    });

    it('without SMTP in development, writes each mail to the outbox as .eml; its link works', async () => {
      const t = running!;
      await t.user('ivy', { email: 'ivy@example.com' });
      expect((await post(t, '/api/auth/password/reset/', { email: 'ivy@example.com' })).status).toBe(202);
      await t.gh.services.mailer.idle();
      const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const parsed = await simpleParser(readFileSync(join(outbox, files[0]!)));
      expect(parsed.subject).toBe('Reset your password');
      const { uid, token } = linkIn({ text: parsed.text ?? '' });
      const done = await post(t, '/api/auth/password/reset/confirm/', {
        uid,
        token,
        new_password: NEW_PASSWORD,
      });
      expect(done.status).toBe(200);
    });
  },
);

describe.each(TARGETS.filter((x) => x.name === 'server'))('mail flows off on $name', (target) => {
  let running: RunningTarget | undefined;
  beforeAll(async () => {
    running = await target.start({ email: { flows: false } });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('answer 403 email_disabled', async () => {
    const res = await post(running!, '/api/auth/password/reset/', { email: 'a@example.com' });
    expect(res).toMatchObject({ status: 403, body: { code: 'email_disabled' } });
  });
});
