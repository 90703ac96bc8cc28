import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import { runCli, tempProject } from '../helpers/cli.js';
import { SMTP_USER, startSmtp, type TestSmtp } from '../helpers/smtp.js';

/** Spawn-heavy: each CLI run starts Node and opens the stores. */
const SLOW = 120_000;
const PW = 'correct horse battery staple';

describe('gatehouse sendtestemail', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('delivers one mail through GATEHOUSE_EMAIL_URL now, from GATEHOUSE_EMAIL_FROM', {
    timeout: SLOW,
  }, async () => {
    const env = { GATEHOUSE_EMAIL_URL: smtp.url, GATEHOUSE_EMAIL_FROM: 'ops@example.com' };
    const res = await runCli(['sendtestemail', 'ops@example.net'], { cwd: tempProject(), env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Sent a test mail to ops@example\.net through smtp:\/\/127\.0\.0\.1:\d+ \(/);
    // Never the SMTP password, in what it prints.
    expect(res.stdout).not.toContain('mailer-secret');
    const mail = await smtp.waitFor('ops@example.net');
    expect(mail).toMatchObject({ from: 'ops@example.com', secure: true, user: SMTP_USER });
  });

  it('fails with the reason when the server cannot be reached', { timeout: SLOW }, async () => {
    const env = { GATEHOUSE_EMAIL_URL: 'smtp://127.0.0.1:1' };
    const res = await runCli(['sendtestemail', 'ops@example.net'], { cwd: tempProject(), env });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('could not send through smtp://127.0.0.1:1');
  });

  it('without SMTP writes the mail to the outbox, and refuses a bad address', { timeout: SLOW }, async () => {
    const cwd = tempProject();
    const res = await runCli(['sendtestemail', 'ops@example.net'], { cwd });
    expect(res.code, res.stderr).toBe(0);
    const files = readdirSync(join(cwd, '.gatehouse', 'outbox'));
    expect(files).toHaveLength(1);
    expect(res.stdout).toContain(join(cwd, '.gatehouse', 'outbox', files[0]!));
    const bad = await runCli(['sendtestemail', 'nope'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Enter a valid email address.');
  });
});

describe('gatehouse migrate with email.unique', () => {
  it('names the addresses several users already share, rather than failing or saying nothing', {
    timeout: SLOW,
  }, async () => {
    const cwd = tempProject();
    expect((await runCli(['migrate'], { cwd })).code).toBe(0);
    const stores = await openStores({ database: `sqlite:${join(cwd, 'gatehouse.db')}` });
    try {
      for (const [username, email] of [
        ['pia', 'pat@example.com'],
        ['pat', 'Pat@example.com'],
        ['quinn', ''],
      ]) {
        await stores.users.create({ username: username!, email, passwordHash: '', dateJoined: Date.now() });
      }
    } finally {
      await stores.close();
    }
    const res = await runCli(['migrate'], { cwd });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('No migrations to apply.\n');
    expect(res.stderr).toContain('email.unique is on, but these addresses belong to several users');
    expect(res.stderr).toContain('  pat@example.com: users 1, 2');
  });
});

describe('gatehouse createuser --verified', () => {
  it('marks the address verified, which users list shows; it needs an address', {
    timeout: SLOW,
  }, async () => {
    const cwd = tempProject();
    const cli = (...args: string[]) => runCli(args, { cwd, input: PW });
    const ok = await cli(
      'createuser',
      'vera',
      '--email',
      'vera@example.com',
      '--verified',
      '--password-stdin',
    );
    expect(ok.code, ok.stderr).toBe(0);
    const none = await cli('createuser', 'nova', '--verified', '--password-stdin');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--verified needs --email');
    const list = JSON.parse((await cli('users', 'list', '--json')).stdout) as Record<string, unknown>[];
    expect(list).toEqual([expect.objectContaining({ username: 'vera', email_verified: true })]);
  });
});
