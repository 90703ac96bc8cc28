import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';
import { BIN, runCli, tempProject } from '../helpers/cli.js';

/** Spawn-heavy: each CLI run starts Node and opens the stores, seconds apiece on a busy machine. */
const SLOW = 120_000;

const PW = 'correct horse battery staple';

/** Runs `gatehouse …` in process, collecting what it writes. */
async function inProcess(argv: string[], opts: { cwd?: string; stdout?: Writable } = {}) {
  let out = '';
  let err = '';
  const collect = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const io: Io = {
    stdout: opts.stdout ?? collect((s) => (out += s)),
    stderr: collect((s) => (err += s)),
    stdin: new PassThrough(),
    env: {},
    cwd: opts.cwd ?? tempProject(),
  };
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err };
}

/** A reader that went away: every write fails as a closed pipe does. */
function closedPipe(): Writable & { writes: number } {
  const stream = new Writable({
    write(_chunk, _enc, done) {
      stream.writes++;
      done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  }) as Writable & { writes: number };
  stream.writes = 0;
  return stream;
}

/** Starts `gatehouse …` with its stdout pipe already closed by the reader (`| head -0`). */
function withClosedStdout(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout pipe', () => {
  it('ends every printing command quietly with status 0, not an EPIPE stack trace', {
    timeout: SLOW,
  }, async () => {
    const cwd = tempProject();
    for (const name of ['alice', 'bob']) {
      expect((await runCli(['createuser', name, '--password-stdin'], { cwd, input: PW })).code).toBe(0);
    }
    expect((await runCli(['token', 'create', 'alice'], { cwd })).code).toBe(0);
    const runs = await Promise.all(
      [
        ['--help'],
        ['audit'],
        ['audit', '--json'],
        ['users', 'list'],
        ['users', 'list', '--json'],
        ['token', 'list', 'alice'],
        ['sessions', 'list', 'alice'],
        ['keys', '--help'],
      ].map(async (args) => ({ args, ...(await withClosedStdout(args, cwd)) })),
    );
    for (const { args, code, stderr } of runs) {
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });

  it('stops the command at the next line once the reader has gone (in process)', {
    timeout: SLOW,
  }, async () => {
    const cwd = tempProject();
    for (const name of ['carol', 'dan', 'erin']) {
      expect((await runCli(['createuser', name, '--password-stdin'], { cwd, input: PW })).code).toBe(0);
    }
    const stdout = closedPipe();
    const res = await inProcess(['audit'], { cwd, stdout });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(stdout.writes).toBe(1);
  });
});

/** Where the description column starts on each two-column line of a help text. */
function descriptionColumns(help: string): number[] {
  return help
    .split('\n')
    .map((line) => /^ {2}(\S+(?: <[^>]+>…?)?) {2,}(?=\S)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[0].length);
}

describe('help', () => {
  it('starts every description in one column, in the overview and in each command', {
    timeout: SLOW,
  }, async () => {
    const overview = await inProcess(['--help']);
    expect(overview.code).toBe(0);
    const columns = descriptionColumns(overview.stdout);
    expect(columns.length).toBe(COMMANDS.length + 2);
    expect(new Set(columns).size, overview.stdout).toBe(1);
    for (const command of COMMANDS) {
      const help = await inProcess([command.name, '--help']);
      expect(help.code).toBe(0);
      const cols = descriptionColumns(help.stdout);
      expect(cols.length, help.stdout).toBe(Object.keys(command.flags).length + 2);
      expect(new Set(cols).size, help.stdout).toBe(1);
      // Values are named for what they are, never a bare <value>.
      expect(help.stdout).not.toContain('<value>');
    }
  });

  it('lists the new commands and states the defaults', { timeout: SLOW }, async () => {
    const overview = (await inProcess(['--help'])).stdout;
    for (const name of ['activate', 'users', 'sessions'])
      expect(overview).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    const keys = (await inProcess(['keys', '--help'])).stdout;
    expect(keys).toContain('keys generate [--alg <alg>] [--file <path>]');
    expect(keys).not.toContain('ES256]');
    expect(keys).toMatch(
      /--alg <alg> +signing algorithm .*\(default: jwt\.algorithm, HS256 unless configured/,
    );
    expect(keys).toMatch(/--file <path> +the keys file \(default: .*\.gatehouse\/jwt-keys\.json\)/);
    const serve = (await inProcess(['serve', '--help'])).stdout;
    expect(serve).toMatch(/--port <port> +.*\(default: GATEHOUSE_PORT, else server\.port, else 8000\)/);
    expect(serve).toMatch(
      /--host <host> +.*\(default: GATEHOUSE_HOST, else server\.host, else 127\.0\.0\.1\)/,
    );
    expect((await inProcess(['audit', '--help'])).stdout).toMatch(/--limit <n> +.*\(default: 100\)/);
    expect((await inProcess(['token', '--help'])).stdout).toMatch(
      /--ttl <duration> +.*\(default: tokens\.ttl, 30d/,
    );
    expect((await inProcess(['createuser', '--help'])).stdout).toMatch(
      /--config <file> +the config file \(default: /,
    );
  });
});

describe('gatehouse serve flags', () => {
  it('names the flag that was given, not the environment variable it would have set', {
    timeout: SLOW,
  }, async () => {
    const cases: Array<[string[], string]> = [
      [['--port', 'abc'], '--port: expected a whole number from 0 to 65535, got "abc"'],
      [['--port', '70000'], '--port: expected a whole number from 0 to 65535, got "70000"'],
      [['--port', '-1'], '--port: expected a whole number from 0 to 65535, got "-1"'],
      [['--host', ''], '--host: expected an address or host name'],
    ];
    for (const [args, message] of cases) {
      const res = await inProcess(['serve', ...args]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(`gatehouse serve: ${message}`);
      expect(res.stderr).not.toContain('GATEHOUSE_PORT:');
    }
    const child = await runCli(['serve', '--port', 'abc'], { cwd: tempProject() });
    expect(child.code).toBe(2);
    expect(child.stderr).toContain('--port: expected a whole number from 0 to 65535, got "abc"');
    expect(child.stderr).not.toContain('GATEHOUSE_PORT:');
  });
});
