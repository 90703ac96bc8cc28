import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServe, tempProject } from '../helpers/cli.js';
import { describeUnavailable } from '../helpers/required.js';
import { freshPostgres } from '../stores/backends.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface ConfigExample {
  /** Where it is shown: `docs/configuration.md:12`. */
  where: string;
  file: string;
  text: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/**
 * Every config file the docs show: a ts/js block whose first line names it
 * (`// gatehouse.config.ts`), or a json block right after a paragraph naming `gatehouse.config.json`.
 */
function configExamples(): ConfigExample[] {
  const out: ConfigExample[] = [];
  for (const path of [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))]) {
    const md = readFileSync(path, 'utf8');
    for (const m of md.matchAll(/```(ts|js|json)\n([\s\S]*?)```/g)) {
      const text = m[2]!;
      const before =
        md
          .slice(Math.max(0, m.index - 300), m.index)
          .trimEnd()
          .split('\n\n')
          .pop() ?? '';
      const named = /^\/\/ (gatehouse\.config\.(?:ts|js|mjs))\b/.exec(text)?.[1];
      const file =
        named ??
        (m[1] === 'json' && before.includes('gatehouse.config.json') ? 'gatehouse.config.json' : null);
      if (!file) continue;
      const line = md.slice(0, m.index).split('\n').length;
      out.push({ where: `${relative(ROOT, path)}:${line}`, file, text });
    }
  }
  return out;
}

/** A fresh app folder where `import … from 'gatehouse-auth'` finds this package, as after npm install. */
function appFolder(): string {
  const cwd = tempProject();
  mkdirSync(join(cwd, 'node_modules'));
  symlinkSync(ROOT, join(cwd, 'node_modules/gatehouse-auth'), 'dir');
  return cwd;
}

/** The environment a docs example reads, beyond the secret key the server makes in development. */
const EXTERNAL_ENV: Record<string, string | undefined> = {
  GATEHOUSE_DATABASE_URL: process.env.GATEHOUSE_TEST_POSTGRES_URL,
  SESSIONS_REDIS_URL: process.env.GATEHOUSE_TEST_REDIS_URL,
};

function envFor(text: string): { env: Record<string, string>; missing: string[] } {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const [, name] of text.matchAll(/process\.env\.([A-Z_]+)/g)) {
    if (name === 'GATEHOUSE_SECRET_KEY' || !name) continue;
    const value = EXTERNAL_ENV[name];
    if (value) env[name] = value;
    else missing.push(name);
  }
  return { env, missing };
}

const examples = configExamples();

describe('config files as the docs show them', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('finds the examples of README.md, docs/configuration.md, docs/deployment.md and docs/spa.md', () => {
    const where = examples.map((e) => e.where.split(':')[0]);
    for (const doc of ['README.md', 'docs/configuration.md', 'docs/deployment.md', 'docs/spa.md'])
      expect(where).toContain(doc);
    expect(examples.map((e) => e.file)).toContain('gatehouse.config.json');
  });

  const local = examples.filter(
    (e) => envFor(e.text).missing.length === 0 && !/SESSIONS_REDIS_URL|GATEHOUSE_DATABASE_URL/.test(e.text),
  );
  it.each(local.map((e) => [e.where, e] as const))(
    '%s starts the server verbatim',
    async (_where, example) => {
      const cwd = appFolder();
      writeFileSync(join(cwd, example.file), example.text);
      server = await startServe({ cwd });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    },
  );

  it('the README example works as gatehouse.config.js too, and as .json without its TypeScript', async () => {
    const readme = examples.find((e) => e.where.startsWith('README.md') && e.file === 'gatehouse.config.ts')!;
    const js = readme.text.replace('gatehouse.config.ts', 'gatehouse.config.js').replace(/!,/g, ',');
    const cwd = appFolder();
    writeFileSync(join(cwd, 'package.json'), '{"type": "module"}');
    writeFileSync(join(cwd, 'gatehouse.config.js'), js);
    server = await startServe({ cwd });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.stop('SIGKILL');
    const json = appFolder();
    writeFileSync(
      join(json, 'gatehouse.config.json'),
      JSON.stringify({ authentication: ['session', 'jwt'], jwt: { accessTokenLifetime: '5m' } }),
    );
    server = await startServe({ cwd: json });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

const external = examples.filter((e) => /SESSIONS_REDIS_URL|GATEHOUSE_DATABASE_URL/.test(e.text));
if (envFor(external.map((e) => e.text).join('\n')).missing.length > 0) {
  describeUnavailable(
    'config files that need PostgreSQL and Redis',
    'GATEHOUSE_TEST_POSTGRES_URL and GATEHOUSE_TEST_REDIS_URL are not set',
    ['postgres', 'redis'],
  );
} else {
  describe('config files that need PostgreSQL and Redis', () => {
    it.each(external.map((e) => [e.where, e] as const))(
      '%s starts the server verbatim',
      async (_where, example) => {
        const cwd = appFolder();
        writeFileSync(join(cwd, example.file), example.text);
        // A schema of its own: the shared test database may hold another checkout's migrations.
        const db = await freshPostgres();
        const { env } = envFor(example.text);
        if (env.GATEHOUSE_DATABASE_URL) env.GATEHOUSE_DATABASE_URL = db.url;
        const server = await startServe({ cwd, env });
        try {
          const ready = await fetch(`${server.url}/readyz`);
          expect(ready.status).toBe(200);
        } finally {
          await server.stop('SIGKILL');
          await db.drop();
        }
      },
    );
  });
}
