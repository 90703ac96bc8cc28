import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../contract/http.js';
import { tempProject } from '../helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery staple';

// The examples import 'gatehouse-auth' as a user would, which resolves to the built package.
if (!existsSync(join(ROOT, 'dist/adapters/hono.js'))) {
  throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

interface Example {
  child: ChildProcess;
  url: string;
}

/** Starts `examples/<name>/server.ts` as `npm run example:<name>` does (after its build), on a free port. */
function startExample(name: string): Promise<Example> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['examples/run.mjs', name], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        GATEHOUSE_DATABASE_URL: `sqlite:${join(tempProject(), 'notes.db')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 30_000);
    const read = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]!.replace(/\/$/, '') });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${out}`));
    });
  });
}

describe.each(['fastify', 'express', 'hono'])('examples/%s', (name) => {
  let ex: Example;
  beforeAll(async () => {
    ex = await startExample(name);
  });
  afterAll(() => {
    ex?.child.kill('SIGTERM');
  });

  it('starts with one command and answers an authenticated request', async () => {
    const list = await send('GET', `${ex.url}/notes`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ notes: [], you: null });

    const anon = await send('POST', `${ex.url}/notes`, { body: { text: 'hi' } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Token');

    const creds = { username: 'ada', password: PASSWORD };
    expect((await send('POST', `${ex.url}/auth/api/auth/register/`, { body: creds })).status).toBe(201);
    const obtained = await send('POST', `${ex.url}/auth/api-token-auth/`, { body: creds });
    expect(obtained.status).toBe(200);
    const auth = { authorization: `Token ${(obtained.body as { token: string }).token}` };

    const created = await send('POST', `${ex.url}/notes`, { body: { text: 'hello' }, headers: auth });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 1, owner: 'ada', text: 'hello' });
    const me = await send('GET', `${ex.url}/auth/api/me/`, { headers: auth });
    expect(me.body).toMatchObject({ username: 'ada', auth: 'token' });
    const after = await send('GET', `${ex.url}/notes`, { headers: auth });
    expect(after.body).toEqual({ notes: [{ id: 1, owner: 'ada', text: 'hello' }], you: 'ada' });
  });
});
