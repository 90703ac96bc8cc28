import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../helpers/cli.js';

const PW = 'correct horse battery staple';

describe('gatehouse audit', () => {
  it('prints the trail newest first, filtered by --user and --since, as text or JSON lines', async () => {
    const cwd = tempProject();
    const cli = (...args: string[]) => runCli(args, { cwd, input: `${PW}\n` });
    expect((await cli('createuser', 'alice', '--password-stdin')).code).toBe(0);
    expect((await cli('createuser', 'bob', '--password-stdin')).code).toBe(0);
    const created = await cli('token', 'create', 'alice', '--name', 'laptop');
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect((await cli('deactivate', 'bob')).code).toBe(0);

    const all = await cli('audit');
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ')[1])).toEqual([
      'user_deactivated',
      'token_created',
      'user_created',
      'user_created',
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z user_deactivated user="bob" id=2$/);
    expect(lines[1]).toContain('user="alice" id=1 scheme=token {"tokenId":');
    expect(all.stdout).not.toContain(key);

    const alice = await cli('audit', '--user', 'alice', '--json');
    const events = alice.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['token_created', 'user_created']);
    expect(events[0]).toMatchObject({
      username: 'alice',
      user_id: 1,
      scheme: 'token',
      ip: '',
      detail: { name: 'laptop', via: 'cli' },
    });
    expect(Date.parse(events[0]!.at as string)).toBeGreaterThan(Date.now() - 60_000);

    expect((await cli('audit', '--since', '1h', '--limit', '1')).stdout.split(' ')[1]).toBe(
      'user_deactivated',
    );
    expect((await cli('audit', '--since', '2999-01-01')).stdout.trim()).toBe('No audit events.');
  });

  it('exits 2 on a bad --since or --limit, and 1 for an unknown user', async () => {
    const cwd = tempProject();
    const bad = await runCli(['audit', '--since', 'yesterday'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: expected a duration like "1h" or "7d", or an ISO date');
    const limit = await runCli(['audit', '--limit', '0'], { cwd });
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit: expected a whole number');
    const nobody = await runCli(['audit', '--user', 'nobody'], { cwd });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user named "nobody"');
    const help = await runCli(['--help'], { cwd });
    expect(help.stdout).toContain('audit');
  });
});
