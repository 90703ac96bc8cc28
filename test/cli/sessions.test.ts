import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import type { Stores } from '../../src/stores/types.js';
import { type RunningServer, runCli, startServe, tempProject } from '../helpers/cli.js';
import { describeBackends, holding, perTest } from '../stores/backends.js';
import { session } from '../stores/fixtures.js';

/** Spawn-heavy: each CLI run starts Node and opens the stores, seconds apiece on a busy machine. */
const SLOW = 120_000;

const PW = 'correct horse battery staple';
const MINUTE = 60_000;

/** The CLI against each backend that holds sessions across processes (memory cannot). */
describeBackends(
  'gatehouse sessions',
  (backend) => {
    const b = perTest(backend);

    async function project() {
      const cwd = tempProject();
      const url = b.current.url!;
      // Redis (one server, Cluster or Sentinel) holds the sessions but no users: those then live
      // in the project's SQLite file.
      const redis = !backend.holds.has('users');
      const env: Record<string, string> = redis
        ? { GATEHOUSE_REDIS_URL: url }
        : { GATEHOUSE_DATABASE_URL: url };
      const cli = (...args: string[]) => runCli(args, { cwd, env, input: PW });
      for (const name of ['alice', 'bob']) {
        const made = await cli('createuser', name, '--password-stdin');
        expect(made.code, made.stderr).toBe(0);
      }
      const stores: Stores = redis
        ? await openStores({ database: `sqlite:${join(cwd, 'gatehouse.db')}`, redis: url })
        : b.stores;
      return { cli, stores, close: () => (stores === b.stores ? undefined : stores.close()) };
    }

    it("lists a user's live sessions, revokes one by id and then all, audited", {
      timeout: SLOW,
    }, async () => {
      const { cli, stores, close } = await project();
      try {
        const alice = (await stores.users.findByUsername('alice'))!;
        const bob = (await stores.users.findByUsername('bob'))!;
        const now = Date.now();
        const older = session({ userId: alice.id, createdAt: now - 2 * MINUTE, lastSeenAt: now - MINUTE });
        const newer = session({
          userId: alice.id,
          createdAt: now - MINUTE,
          lastSeenAt: now,
          ip: '198.51.100.4',
          userAgent: 'Evil\u001b[2J\u202eagent',
        });
        const expired = session({ userId: alice.id, createdAt: now - 3 * MINUTE, expiresAt: now - MINUTE });
        const bobs = session({
          userId: bob.id,
          createdAt: now,
          lastSeenAt: now,
          expiresAt: now + 60 * MINUTE,
        });
        for (const s of [older, newer, expired, bobs]) {
          await stores.sessions.create({ ...s, expiresAt: s === expired ? now + 10 : now + 60 * MINUTE });
        }
        // The expired one ends while the others live on.
        await new Promise((r) => setTimeout(r, 20));

        const listed = await cli('sessions', 'list', 'alice');
        expect(listed.code, listed.stderr).toBe(0);
        const lines = listed.stdout.trimEnd().split('\n');
        expect(lines[0]).toMatch(/^ID\s+CREATED\s+LAST SEEN\s+EXPIRES\s+IP\s+USER AGENT$/);
        expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([newer.id, older.id]);
        expect(lines[1]).toContain('198.51.100.4');
        // Client-chosen text cannot drive the terminal: it is printed escaped.
        expect(lines[1]).toContain('"Evil\\u001b[2J\\u202eagent"');
        expect(listed.stdout).not.toContain('\u001b');

        const json = await cli('sessions', 'list', 'alice', '--json');
        const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
        expect(rows.map((r) => r.id)).toEqual([newer.id, older.id]);
        expect(rows[0]).toEqual({
          id: newer.id,
          created: new Date(newer.createdAt).toISOString(),
          last_seen: new Date(newer.lastSeenAt).toISOString(),
          expires: expect.any(String),
          ip: '198.51.100.4',
          user_agent: 'Evil\u001b[2J\u202eagent',
          // The API's view of a session (GET /api/auth/sessions/), from the same function.
          device: 'Evil\u001b[2J\u202eagent',
          current: false,
        });
        expect(json.stdout).not.toContain(newer.digest);

        const one = await cli('sessions', 'revoke', older.id);
        expect(one.code, one.stderr).toBe(0);
        expect(one.stdout).toBe(`Revoked session ${older.id} of "alice".\n`);
        expect(await stores.sessions.findByPublicId(older.id)).toBeNull();
        const twice = await cli('sessions', 'revoke', older.id);
        expect(twice.code).toBe(1);
        expect(twice.stderr).toContain(`no session with id "${older.id}"`);

        const all = await cli('sessions', 'revoke', '--user', 'alice');
        expect(all.code, all.stderr).toBe(0);
        expect(all.stdout).toMatch(/^Revoked [12] sessions? of "alice"\.\n$/);
        expect(await stores.sessions.findByDigest(newer.digest)).toBeNull();
        expect((await cli('sessions', 'list', 'alice')).stdout).toBe('No sessions for "alice".\n');
        expect(await stores.sessions.findByDigest(bobs.digest)).not.toBeNull();
        expect(JSON.parse((await cli('sessions', 'list', 'bob', '--json')).stdout)).toHaveLength(1);

        const trail = (await cli('audit', '--user', 'alice', '--json')).stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { event: string; detail: Record<string, unknown> })
          .filter((e) => e.event === 'session_revoked');
        expect(trail.map((e) => e.detail)).toEqual([
          { all: true, count: expect.any(Number), via: 'cli' },
          { sessionId: older.id, via: 'cli' },
        ]);
      } finally {
        await close();
      }
    });
  },
  (backend) => backend.name !== 'memory' && holding('sessions')(backend),
);

describe('gatehouse sessions usage', () => {
  it('says what is wrong: unknown users and ids exit 1, bad usage exits 2', { timeout: SLOW }, async () => {
    const cwd = tempProject();
    const cli = (...args: string[]) => runCli(args, { cwd, input: PW });
    expect((await cli('createuser', 'alice', '--password-stdin')).code).toBe(0);
    const cases: Array<[string[], number, string]> = [
      [['list', 'nobody'], 1, 'no user named "nobody"'],
      [['revoke', '--user', 'nobody'], 1, 'no user named "nobody"'],
      [['revoke', 'no-such-id'], 1, 'no session with id "no-such-id"'],
      [['revoke'], 2, 'missing <id>'],
      [['revoke', 'x', '--user', 'alice'], 2, 'give a session <id> or --user <username>, not both'],
      [['list', 'alice', '--user', 'bob'], 2, '--user does not apply to "sessions list"'],
      [['revoke', 'x', '--json'], 2, '--json does not apply to "sessions revoke"'],
      [['list'], 2, 'missing <username>'],
      [[], 2, 'missing <list|revoke>'],
      [['drop'], 2, 'unknown action "drop"'],
    ];
    for (const [args, code, message] of cases) {
      const res = await cli('sessions', ...args);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(code);
      expect(res.stderr).toContain(message);
      expect(res.stdout).toBe('');
    }
  });
});

describe('gatehouse sessions against a running server', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('a session revoked from the CLI is refused on its very next request', { timeout: SLOW }, async () => {
    const cwd = tempProject();
    const env = { GATEHOUSE_AUTHENTICATION: 'session', GATEHOUSE_ADMIN_PASSWORD: PW };
    expect((await runCli(['createuser', 'alice', '--password-stdin'], { cwd, env, input: PW })).code).toBe(0);
    server = await startServe({ cwd, env });
    const url = server.url;
    const csrf = await fetch(`${url}/api/auth/csrf/`);
    const csrfCookie = /csrftoken=([^;]+)/.exec(csrf.headers.get('set-cookie') ?? '')![1]!;
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const login = await fetch(`${url}/api/auth/login/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'CliTest/1.0',
        origin: url,
        cookie: `csrftoken=${csrfCookie}`,
        'x-csrftoken': csrfToken,
      },
      body: JSON.stringify({ username: 'alice', password: PW }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    const sessionCookie = /sessionid=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
    const me = () => fetch(`${url}/api/me/`, { headers: { cookie: `sessionid=${sessionCookie}` } });
    expect((await me()).status).toBe(200);

    const listed = await runCli(['sessions', 'list', 'alice', '--json'], { cwd, env });
    const [row] = JSON.parse(listed.stdout) as { id: string; user_agent: string; ip: string }[];
    expect(row).toMatchObject({ user_agent: 'CliTest/1.0', ip: '127.0.0.1' });
    const revoked = await runCli(['sessions', 'revoke', row!.id], { cwd, env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await me()).status).toBe(403);
  });
});
