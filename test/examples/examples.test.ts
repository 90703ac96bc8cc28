import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { exerciseNotesApi, type RunningExample, startExample } from '../helpers/notes-example.js';
import { tempProject } from '../helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');

// The examples import 'gatehouse-auth' as a user would, which resolves to the built package.
if (!existsSync(join(ROOT, 'dist/adapters/hono.js'))) {
  throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

describe.each(['fastify', 'express', 'hono'])('examples/%s', (name) => {
  let ex: RunningExample;
  beforeAll(async () => {
    // As `npm run example:<name>` runs it (after its build), on a free port and a fresh database.
    ex = await startExample(name, process.execPath, ['examples/run.mjs', name], {
      cwd: ROOT,
      env: { GATEHOUSE_DATABASE_URL: `sqlite:${join(tempProject(), 'notes.db')}` },
    });
  });
  afterAll(() => {
    ex?.child.kill('SIGTERM');
  });

  it('starts with one command and answers an authenticated request', async () => {
    await exerciseNotesApi(ex.url);
  });
});
