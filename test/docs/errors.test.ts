import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createJiti } from 'jiti';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as catalogue from '../../src/core/errors.js';
import { tempProject } from '../helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

/** The class named in the first cell of each table row: `| \`NotFound\` | 404 | …`. */
const documented = [...DOC.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);

describe('docs/errors.md', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('has a row for every class of the catalogue, and none for a class it does not have', () => {
    const classes = Object.entries(catalogue)
      .filter(([name, v]) => typeof v === 'function' && name !== 'GatehouseError')
      .map(([name]) => name);
    expect([...documented].sort()).toEqual(classes.sort());
  });

  it('runs its example as written, against the package an app installs', async () => {
    const app = tempProject();
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(ROOT, join(app, 'node_modules/gatehouse-auth'), 'dir');
    const example = /```ts\n([\s\S]*?)```/.exec(DOC)?.[1] ?? '';
    writeFileSync(join(app, 'example.ts'), example);
    vi.stubEnv('GATEHOUSE_SECRET_KEY', 'k'.repeat(50));
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line));
    await createJiti(import.meta.url).import(join(app, 'example.ts'));
    expect(printed).toEqual([
      'jwt.accessTokenLifetime: expected a duration like "30s", "15m", "1h", "7d", "2w" or seconds, got "soon"',
    ]);
  });
});
