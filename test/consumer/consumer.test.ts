/**
 * The package as a stranger gets it: `npm pack`, the tarball installed into a fresh ESM app in a
 * temp folder (with nothing of this repo beside it), the three notes examples compiled there by
 * the app's own strict `tsc` against the published types, and each one run for one authenticated
 * request. A broken `exports` map, a type that only resolves inside the repo, a file missing from
 * `files`, or a dependency that only the repo's devDependencies provide fails here.
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
/** What the app installs beside gatehouse-auth: the frameworks and the compiler, at the repo's versions. */
const APP_PACKAGES = [
  'fastify',
  'express',
  'hono',
  '@hono/node-server',
  'typescript',
  '@types/node',
  '@types/express',
];

const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

let work: string;
let app: string;

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
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      ...APP_PACKAGES.map((p) => `${p}@${installedVersion(p)}`),
    ],
    { cwd: app, maxBuffer: 16 * 1024 * 1024 },
  );
  // The examples are the documented consumer code; they import 'gatehouse-auth' like any app.
  cpSync(join(ROOT, 'examples/shared.ts'), join(app, 'src/shared.ts'));
  for (const name of ADAPTERS)
    cpSync(join(ROOT, `examples/${name}/server.ts`), join(app, `src/${name}/server.ts`));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball in a fresh ESM app', () => {
  it('installs without the optional drivers (pg, ioredis) and ships no tests or sources', () => {
    const pkg = join(app, 'node_modules/gatehouse-auth');
    expect(existsSync(join(pkg, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'LICENSE'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'dist/core/config.test.js'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/pg'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/ioredis'))).toBe(false);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: object };
    console.info(`consumer app: ${Object.keys(lock.packages).length - 1} packages installed`);
  });

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

  it('names the package to install when a postgres:// URL needs the missing pg driver', async () => {
    const bin = join(app, 'node_modules/.bin/gatehouse');
    const failed = await run(bin, ['migrate'], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_DATABASE_URL: 'postgres://127.0.0.1:1/none' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('npm install pg');
  });
});
