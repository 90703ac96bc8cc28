import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import { runCli, tempProject } from '../helpers/cli.js';

/** Spawn-heavy: each CLI run starts Node and opens the stores, seconds apiece on a busy machine. */
const SLOW = 120_000;

const PW = 'correct horse battery staple';

async function project() {
  const cwd = tempProject();
  const cli = (...args: string[]) => runCli(args, { cwd, input: PW });
  const events = async (name: string): Promise<number> => {
    const res = await cli('audit', '--json');
    return res.stdout
      .trim()
      .split('\n')
      .filter((l) => l && (JSON.parse(l) as { event: string }).event === name).length;
  };
  return { cwd, cli, events };
}

describe('gatehouse activate / deactivate', () => {
  it('undoes a deactivation; a repeat of either is a no-op with no second audit event', {
    timeout: SLOW,
  }, async () => {
    const { cli, events } = await project();
    expect((await cli('createuser', 'dora', '--password-stdin')).code).toBe(0);

    const already = await cli('activate', 'dora');
    expect(already.code, already.stderr).toBe(0);
    expect(already.stdout).toBe('"dora" is already active; nothing changed.\n');
    expect(await events('user_activated')).toBe(0);

    expect((await cli('deactivate', 'dora')).stdout).toBe('Deactivated "dora".\n');
    const again = await cli('deactivate', 'dora');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('"dora" is already inactive; nothing changed.\n');
    expect(await events('user_deactivated')).toBe(1);
    expect((await cli('users', 'list')).stdout).toMatch(/\n1\s+dora\s+-\s+-\s+no\s+no\s/);

    const on = await cli('activate', 'dora');
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toBe('Activated "dora": they can sign in again.\n');
    expect((await cli('activate', 'dora')).stdout).toContain('already active');
    expect(await events('user_activated')).toBe(1);
    expect((await cli('users', 'list')).stdout).toMatch(/\n1\s+dora\s+-\s+-\s+yes\s+no\s/);

    const nobody = await cli('activate', 'nobody');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user named "nobody"');
    expect((await cli('activate')).code).toBe(2);
  });
});

describe('gatehouse createuser --email', () => {
  it('refuses a malformed address, naming the flag, before asking for a password', {
    timeout: SLOW,
  }, async () => {
    const { cli } = await project();
    const bad = await cli('createuser', 'erin', '--email', 'notanemail', '--password-stdin');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'gatehouse createuser: --email: Enter a valid email address. Got "notanemail".',
    );
    expect(bad.stdout).toBe('');
    expect((await cli('users', 'list')).stdout).toBe('No users.\n');
    const ok = await cli('createuser', 'erin', '--email', 'erin@example.com', '--password-stdin');
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('gatehouse users list', () => {
  it('prints an aligned table, or one JSON array, without password hashes', { timeout: SLOW }, async () => {
    const { cli } = await project();
    await cli('createuser', 'alice', '--admin', '--email', 'alice@example.com', '--password-stdin');
    await cli('createuser', 'bo', '--password-stdin');
    const res = await cli('users', 'list');
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^ID\s+USERNAME\s+EMAIL\s+VERIFIED\s+ACTIVE\s+STAFF\s+DATE JOINED\s+LAST LOGIN$/,
    );
    expect(lines[1]).toMatch(
      /^1\s+alice\s+alice@example\.com\s+no\s+yes\s+yes\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+-$/,
    );
    expect(lines[2]).toMatch(/^2\s+bo\s+-\s+-\s+yes\s+no\s/);
    // Aligned: every column starts at the same place on every line.
    for (const header of ['USERNAME', 'EMAIL', 'VERIFIED', 'ACTIVE', 'STAFF', 'DATE JOINED']) {
      const at = lines[0]!.indexOf(header);
      for (const line of lines.slice(1)) expect(line[at - 1], `${header}: ${line}`).toBe(' ');
      for (const line of lines.slice(1)) expect(line[at], `${header}: ${line}`).not.toBe(' ');
    }
    const json = await cli('users', 'list', '--json');
    expect(json.code).toBe(0);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users).toEqual([
      {
        id: 1,
        username: 'alice',
        email: 'alice@example.com',
        email_verified: false,
        is_active: true,
        is_staff: true,
        date_joined: expect.stringMatching(/Z$/),
        last_login: null,
      },
      expect.objectContaining({ id: 2, username: 'bo', email: '', is_staff: false }),
    ]);
    expect(json.stdout).not.toContain('argon2');
    expect(JSON.parse((await runCli(['users', 'list', '--json'], { cwd: tempProject() })).stdout)).toEqual(
      [],
    );
  });

  it('pages through a large table: every user once, in id order', { timeout: SLOW }, async () => {
    const { cwd, cli } = await project();
    expect((await cli('migrate')).code).toBe(0);
    const stores = await openStores({ database: `sqlite:${join(cwd, 'gatehouse.db')}` });
    const total = 1234; // more than two pages
    try {
      for (let i = 0; i < total; i++) {
        await stores.users.create({ username: `user${i}`, passwordHash: '', dateJoined: Date.now() });
      }
    } finally {
      await stores.close();
    }
    const json = await cli('users', 'list', '--json');
    const ids = (JSON.parse(json.stdout) as { id: number }[]).map((u) => u.id);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const table = (await cli('users', 'list')).stdout.trimEnd().split('\n');
    expect(table).toHaveLength(total + 1);
    expect(table.at(-1)).toMatch(/^1234\s+user1233\s/);
  });

  it('says what is wrong with the usage', { timeout: SLOW }, async () => {
    const { cli } = await project();
    const cases: Array<[string[], string]> = [
      [[], 'missing <list>'],
      [['show'], 'unknown action "show"'],
      [['list', 'extra'], 'unexpected argument "extra"'],
    ];
    for (const [args, message] of cases) {
      const res = await cli('users', ...args);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(message);
    }
  });
});
