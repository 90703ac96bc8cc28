import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, runCli, startServe, tempProject } from '../helpers/cli.js';

const PW = 'correct horse battery staple';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('gatehouse CLI', () => {
  it('lists its commands with --help, and exits 2 on an unknown command or flag', async () => {
    const cwd = tempProject();
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    for (const c of ['serve', 'migrate', 'createuser', 'changepassword', 'deactivate', 'flush-expired']) {
      expect(help.stdout).toContain(c);
    }
    const sub = await runCli(['createuser', '--help'], { cwd });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--password-stdin');
    const unknown = await runCli(['frobnicate'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badFlag = await runCli(['createuser', 'x', '--sudo'], { cwd });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('unknown option --sudo');
    const missing = await runCli(['createuser'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing <username>');
  });

  it('migrates, then has nothing left to apply', async () => {
    const cwd = tempProject();
    const first = await runCli(['migrate'], { cwd });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration/);
    expect((await runCli(['migrate'], { cwd })).stdout).toContain('No migrations to apply.');
  });

  it('creates users (validators apply, names are unique) and needs a password source', async () => {
    const cwd = tempProject();
    const ok = await runCli(
      ['createuser', 'alice', '--admin', '--email', 'a@example.com', '--password-stdin'],
      {
        cwd,
        input: `${PW}\n`,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Created user "alice"');
    expect(ok.stderr).toContain('generated a development secret key');
    expect(statSync(join(cwd, '.gatehouse/secret')).mode & 0o777).toBe(0o600);
    const dup = await runCli(['createuser', 'alice', '--password-stdin'], { cwd, input: PW });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('A user with that username already exists.');
    const weak = await runCli(['createuser', 'bob', '--password-stdin'], { cwd, input: '123' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('This password is too short');
    const noTty = await runCli(['createuser', 'carol'], { cwd });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
  });

  it('says clearly when the database cannot be opened', async () => {
    const cwd = tempProject();
    // A directory that cannot be made: its parent is a file.
    writeFileSync(join(cwd, 'not-a-dir'), '');
    const res = await runCli(['migrate'], {
      cwd,
      env: { GATEHOUSE_DATABASE_URL: 'sqlite:./not-a-dir/x.db' },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/gatehouse migrate: .*not-a-dir/);
    const bad = await runCli(['migrate'], { cwd, env: { GATEHOUSE_DATABASE_URL: 'mysql://x' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('database: expected a store URL');
  });
});

describe('gatehouse serve', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('creates the first admin with a printed password, answers Basic, and shuts down on SIGTERM', async () => {
    const cwd = tempProject();
    server = await startServe({ cwd });
    const m = /with the password:\s+(\S+)/.exec(server.stderr());
    expect(m, server.output()).not.toBeNull();
    const password = m![1]!;
    const anon = await fetch(`${server.url}/api/me/`);
    expect(anon.status).toBe(403);
    expect(await anon.json()).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    const me = await fetch(`${server.url}/api/me/`, { headers: { authorization: basic('admin', password) } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'admin', is_staff: true, auth: 'basic' });
    expect(existsSync(join(cwd, 'gatehouse.db'))).toBe(true);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
  });

  it('acts on the same database as the CLI: changepassword and deactivate take effect', async () => {
    const cwd = tempProject();
    const env = { GATEHOUSE_ADMIN_PASSWORD: PW, GATEHOUSE_AUTHENTICATION: 'basic' };
    expect((await runCli(['createuser', 'dora', '--password-stdin'], { cwd, input: PW, env })).code).toBe(0);
    server = await startServe({ cwd, env });
    expect(server.output()).not.toContain(PW);
    const me = () => fetch(`${server!.url}/api/me/`, { headers: { authorization: basic('dora', PW) } });
    expect((await me()).status).toBe(200);
    const anon = await fetch(`${server.url}/api/me`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="api"');
    const newPw = 'an entirely different passphrase';
    expect(
      (await runCli(['changepassword', 'dora', '--password-stdin'], { cwd, input: newPw, env })).code,
    ).toBe(0);
    expect((await me()).status).toBe(401);
    const again = await fetch(`${server.url}/api/me/`, { headers: { authorization: basic('dora', newPw) } });
    expect(again.status).toBe(200);
    expect((await runCli(['deactivate', 'dora'], { cwd, env })).code).toBe(0);
    const gone = await fetch(`${server.url}/api/me/`, { headers: { authorization: basic('dora', newPw) } });
    expect(gone.status).toBe(401);
    expect((await runCli(['deactivate', 'nobody'], { cwd, env })).code).toBe(1);
    expect((await runCli(['flush-expired'], { cwd, env })).stdout).toMatch(/^Deleted \d+ sessions/);
  });

  it('refuses to start in production without a secret key', async () => {
    const cwd = tempProject();
    const res = await runCli(['serve', '--port', '0'], { cwd, env: { NODE_ENV: 'production' } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('secretKey: required in production');
  });
});
