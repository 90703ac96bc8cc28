/**
 * The package as a stranger gets it: `npm pack`, the tarball installed into a fresh ESM app in a
 * temp folder (with nothing of this repo beside it). First as an Express app would have it, with
 * no optional peer: what it installs, the CLI working on its database, and the packages it is
 * told to install for what it lacks. Then with the other frameworks added, the three notes
 * examples compiled there by the app's own strict `tsc` against the published types, and each
 * run for one authenticated request. A broken `exports` map, a type that only resolves inside the
 * repo, a file missing from `files`, or a dependency that only the repo's devDependencies provide
 * fails here.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exerciseNotesApi, type RunningExample, startExample } from '../helpers/notes-example.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const ADAPTERS = ['fastify', 'express', 'hono'] as const;
/** An Express app: its framework and the compiler, at the repo's versions. */
const EXPRESS_APP = ['express', '@types/express', 'typescript', '@types/node'];
/** What the other examples add. */
const OTHER_FRAMEWORKS = ['fastify', 'hono', '@hono/node-server'];
/** Optional peers an Express app on SQLite must not get. */
const NOT_INSTALLED = ['pg', 'ioredis', 'fastify', '@fastify/cors', 'pino-pretty'];

const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
const atRepoVersion = (names: readonly string[]) => names.map((p) => `${p}@${installedVersion(p)}`);

let work: string;
let app: string;

function npmInstall(packages: readonly string[]) {
  return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packages], {
    cwd: app,
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Runs the installed `gatehouse` CLI in the app; resolves with its exit code and output. */
function gatehouse(args: readonly string[], env: Record<string, string> = {}) {
  return run(join(app, 'node_modules/.bin/gatehouse'), args, {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/index.d.ts')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  work = mkdtempSync(join(tmpdir(), 'gatehouse-consumer-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT });
  const tarball = join(work, stdout.trim().split('\n').pop()!);
  app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        rootDir: 'src',
        outDir: 'dist',
        types: ['node'],
      },
      include: ['src'],
    }),
  );
  await npmInstall([tarball, ...atRepoVersion(EXPRESS_APP)]);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball in a fresh Express app', () => {
  it('installs without the optional peers and ships no tests or sources', () => {
    const pkg = join(app, 'node_modules/gatehouse-auth');
    expect(existsSync(join(pkg, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'LICENSE'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'dist/core/config.test.js'))).toBe(false);
    for (const name of NOT_INSTALLED) expect(existsSync(join(app, 'node_modules', name)), name).toBe(false);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: object };
    console.info(`an Express app with gatehouse-auth: ${Object.keys(lock.packages).length - 1} packages`);
  });

  it('runs the CLI on the app’s own database without Fastify', async () => {
    const database = { GATEHOUSE_DATABASE_URL: `sqlite:${join(work, 'app.db')}` };
    expect(await gatehouse(['migrate'], database)).toMatchObject({ code: 0 });
    const listed = await gatehouse(['users', 'list', '--json'], database);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('names the packages to install for what the app lacks: the server, a pg driver', async () => {
    const serve = await gatehouse(['serve', '--port', '0'], { GATEHOUSE_DATABASE_URL: 'memory:' });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain('npm install fastify @fastify/cors');
    const pg = await gatehouse(['migrate'], { GATEHOUSE_DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain('npm install pg');
  });
});

describe('the packed tarball with every framework', () => {
  beforeAll(async () => {
    await npmInstall(atRepoVersion(OTHER_FRAMEWORKS));
    // The examples are the documented consumer code; they import 'gatehouse-auth' like any app.
    cpSync(join(ROOT, 'examples/shared.ts'), join(app, 'src/shared.ts'));
    for (const name of ADAPTERS)
      cpSync(join(ROOT, `examples/${name}/server.ts`), join(app, `src/${name}/server.ts`));
  }, 600_000);

  it('type-checks the examples with the app’s own strict tsc against the published types', async () => {
    const tsc = join(app, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', app], { cwd: app }).catch(
      (err: { stdout: string }) => err,
    );
    expect('stdout' in result ? result.stdout : '').toBe('');
    for (const name of ADAPTERS) expect(existsSync(join(app, `dist/${name}/server.js`))).toBe(true);
  });

  describe.each(ADAPTERS)('the %s example', (name) => {
    let ex: RunningExample | undefined;
    afterAll(() => {
      ex?.child.kill('SIGTERM');
    });

    it('starts from the installed package and answers an authenticated request', async () => {
      ex = await startExample(name, process.execPath, [`dist/${name}/server.js`], {
        cwd: app,
        env: { GATEHOUSE_DATABASE_URL: `sqlite:${join(work, `${name}.db`)}` },
      });
      await exerciseNotesApi(ex.url);
    });
  });
});
