import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServe, tempProject } from '../helpers/cli.js';

const run = promisify(execFile);
const SECRET = 'a-production-secret-key-of-at-least-32-characters';

/** Runs the printed hint through the shell exactly as printed, the password filled in. */
async function runHint(stderr: string, password: string): Promise<{ status: number; body: string }> {
  const hint = /try: (curl .*)$/m.exec(stderr)?.[1];
  expect(hint, stderr).toBeDefined();
  const command = hint!.replace('<password>', password);
  const { stdout } = await run('sh', ['-c', `${command} -s -w '\\n%{http_code}'`]);
  const lines = stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

const passwordIn = (stderr: string): string => {
  const m = /with the password:\s+(\S+)/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return m![1]!;
};

describe('gatehouse serve: what it prints at start-up', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('development: the password in a framed block on stderr only; readable logs; a hint that answers 200', async () => {
    server = await startServe({ cwd: tempProject(), env: { GATEHOUSE_LOG_LEVEL: 'info' } });
    const password = passwordIn(server.stderr());
    expect(server.stderr()).toMatch(/^={72}$/m);
    const { status, body } = await runHint(server.stderr(), password);
    expect(status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ username: 'admin', auth: 'basic' });
    await expect.poll(() => server!.stdout()).toContain('request completed');
    expect(server.stdout()).not.toContain(password);
    // pino-pretty's lines, not JSON.
    const first = server
      .stdout()
      .split('\n')
      .find((l) => l.includes('request completed'))!;
    expect(() => JSON.parse(first)).toThrow();
  });

  it('production: JSON log lines without the password; Basic is off, so the hint obtains a token', async () => {
    server = await startServe({
      cwd: tempProject(),
      env: { NODE_ENV: 'production', GATEHOUSE_SECRET_KEY: SECRET, GATEHOUSE_LOG_LEVEL: 'info' },
    });
    const password = passwordIn(server.stderr());
    expect(server.stderr()).toContain(`try: curl -X POST ${server.url}/api/token/`);
    const { status, body } = await runHint(server.stderr(), password);
    expect(status, body).toBe(200);
    expect(JSON.parse(body)).toHaveProperty('access');
    await expect.poll(() => server!.stdout()).toContain('request completed');
    const lines = server.stdout().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(server.stdout()).not.toContain(password);
  });
});
