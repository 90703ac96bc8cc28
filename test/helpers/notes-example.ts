import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'vitest';
import { send } from '../contract/http.js';

export const NOTES_PASSWORD = 'correct horse battery staple';

/** A running notes example (examples/<adapter>/server.ts) and its address. */
export interface RunningExample {
  child: ChildProcess;
  url: string;
}

/**
 * Starts a notes example as a child process and resolves once it prints its address. The
 * examples listen on PORT=0 (a free port) and print `listening on http://…`.
 */
export function startExample(
  label: string,
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<RunningExample> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start: ${out}`)), 30_000);
    const read = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace(/\/$/, '') });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}: ${out}`));
    });
  });
}

/**
 * What a new user does with a notes example (examples/README.md): list anonymously, be refused
 * a write, register, obtain a token, write with it, and see themselves in /api/me/.
 */
export async function exerciseNotesApi(url: string): Promise<void> {
  const list = await send('GET', `${url}/notes`);
  expect(list.status).toBe(200);
  expect(list.body).toEqual({ notes: [], you: null });

  const anon = await send('POST', `${url}/notes`, { body: { text: 'hi' } });
  expect(anon.status).toBe(401);
  expect(anon.headers.get('www-authenticate')).toBe('Token');

  const creds = { username: 'ada', password: NOTES_PASSWORD };
  expect((await send('POST', `${url}/auth/api/auth/register/`, { body: creds })).status).toBe(201);
  const obtained = await send('POST', `${url}/auth/api-token-auth/`, { body: creds });
  expect(obtained.status).toBe(200);
  const auth = { authorization: `Token ${(obtained.body as { token: string }).token}` };

  const created = await send('POST', `${url}/notes`, { body: { text: 'hello' }, headers: auth });
  expect(created.status).toBe(201);
  expect(created.body).toEqual({ id: 1, owner: 'ada', text: 'hello' });
  const me = await send('GET', `${url}/auth/api/me/`, { headers: auth });
  expect(me.body).toMatchObject({ username: 'ada', auth: 'token' });
  const after = await send('GET', `${url}/notes`, { headers: auth });
  expect(after.body).toEqual({ notes: [{ id: 1, owner: 'ada', text: 'hello' }], you: 'ada' });
}
