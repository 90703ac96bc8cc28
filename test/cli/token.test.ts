import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, runCli, startServe, tempProject } from '../helpers/cli.js';

const PW = 'correct horse battery staple';
const KEY = /^gat_[0-9A-Za-z]{49}$/;

describe('gatehouse token', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  async function project() {
    const cwd = tempProject();
    const env = { GATEHOUSE_AUTHENTICATION: 'token', GATEHOUSE_BASIC: 'false' };
    const made = await runCli(['createuser', 'alice', '--password-stdin'], { cwd, input: PW, env });
    expect(made.code, made.stderr).toBe(0);
    const cli = (...args: string[]) => runCli(['token', ...args], { cwd, env });
    return { cwd, env, cli };
  }

  it('creates a token, printing only the key on stdout, once; list never shows it', async () => {
    const { cli } = await project();
    const res = await cli(
      'create',
      'alice',
      '--name',
      'laptop',
      '--ttl',
      '7d',
      '--scope',
      'notes:read',
      '--scope',
      'notes:write',
    );
    expect(res.code, res.stderr).toBe(0);
    const key = res.stdout.trim();
    expect(key).toMatch(KEY);
    expect(res.stdout).toBe(`${key}\n`);
    expect(res.stderr).toMatch(
      /Created token "laptop" \(id \S+\) for "alice": scopes notes:read, notes:write, expires \d{4}-/,
    );
    expect(res.stderr).toContain('shown once');

    const list = await cli('list', 'alice');
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+PREFIX\s+SCOPES\s+CREATED\s+LAST USED\s+EXPIRES$/);
    expect(row).toContain('laptop');
    expect(row).toContain(`${key.slice(0, 8)}…`);
    expect(row).toContain('notes:read,notes:write');
    expect(list.stdout).not.toContain(key.slice(8, 20));

    const never = await cli('create', 'alice', '--ttl', 'never');
    expect(never.stderr).toContain('full access, expires never');
  });

  it('issues keys the server accepts, and a revoke ends them on the next request', async () => {
    const { cwd, env, cli } = await project();
    const one = (await cli('create', 'alice', '--name', 'one')).stdout.trim();
    const two = (await cli('create', 'alice', '--name', 'two')).stdout.trim();
    const three = (await cli('create', 'alice', '--name', 'three')).stdout.trim();
    server = await startServe({ cwd, env });
    const me = (key: string) =>
      fetch(`${server!.url}/api/me/`, { headers: { authorization: `Token ${key}` } });
    for (const key of [one, two, three]) expect((await me(key)).status).toBe(200);

    const id = /^(\S+)\s+one\s/m.exec((await cli('list', 'alice')).stdout)![1]!;
    const byId = await cli('revoke', 'alice', id);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toContain(`Revoked token ${id} of "alice".`);
    const gone = await me(one);
    expect(gone.status).toBe(401);
    expect(await gone.json()).toEqual({ detail: 'Invalid token.', code: 'authentication_failed' });
    expect(gone.headers.get('www-authenticate')).toBe('Token');

    const threeId = /^(\S+)\s+three\s/m.exec((await cli('list', 'alice')).stdout)![1]!;
    const byBareId = await cli('revoke', threeId);
    expect(byBareId.code, byBareId.stderr).toBe(0);
    expect(byBareId.stdout).toContain(`Revoked token ${threeId} ("three") of "alice".`);
    expect((await me(three)).status).toBe(401);
    const four = (await cli('create', 'alice', '--name', 'four')).stdout.trim();

    const byKey = await cli('revoke', two);
    expect(byKey.code, byKey.stderr).toBe(0);
    expect(byKey.stdout).toMatch(/Revoked token \S+ \("two"\) of "alice"\./);
    expect((await me(two)).status).toBe(401);
    expect((await me(four)).status).toBe(200);

    await cli('create', 'alice');
    const all = await cli('revoke', '--all', 'alice');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('Revoked 2 tokens of "alice".');
    expect((await me(four)).status).toBe(401);
    expect((await cli('list', 'alice')).stdout).toContain('No tokens for "alice".');
  });

  it('says what is wrong: unknown users and ids exit 1, bad usage exits 2', async () => {
    const { cli } = await project();
    const cases: Array<[string[], number, string]> = [
      [['create', 'nobody'], 1, 'no user named "nobody"'],
      [['revoke', 'alice', 'nope'], 1, '"alice" has no token with id "nope"'],
      [['revoke', `gat_${'0'.repeat(49)}`], 2, 'not a valid key: its checksum does not match'],
      [['create', 'alice', '--ttl', 'soon'], 2, '--ttl: expected a duration'],
      [['create', 'alice', '--scope', 'has space'], 1, 'scopes: Enter a valid scope'],
      [['list', 'alice', '--all'], 2, '--all does not apply to "token list"'],
      [['revoke', 'nosuchid'], 1, 'no token with id "nosuchid"'],
      [['revoke', 'a', 'b', 'c'], 2, 'expected <id>, <username> <id>, --all <username>, or a key'],
      [['frobnicate'], 2, 'unknown action "frobnicate"'],
      [[], 2, 'missing <create|list|revoke>'],
      [['create'], 2, 'missing <username>'],
    ];
    for (const [args, code, message] of cases) {
      const res = await cli(...args);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(code);
      expect(res.stderr).toContain(message);
      expect(res.stdout).toBe('');
    }
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('token revoke <id> | <username> <id> | --all <username> | <key>');
  });
});
