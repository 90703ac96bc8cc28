import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/temp.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/**
 * Runs `npm run boundaries` (a step of `npm run check`): the same command and reporter, whose exit
 * code fails the check, on the src/ of `dir`. Gives each violation as `rule: from`.
 */
async function boundaries(dir: string): Promise<{ exitCode: number; violations: string[] }> {
  const args = [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs')];
  let exitCode = 0;
  let output: string;
  try {
    output = (await promisify(execFile)(process.execPath, args, { cwd: dir })).stdout;
  } catch (err) {
    const failed = err as { code?: number; stdout?: string };
    exitCode = failed.code ?? -1;
    output = failed.stdout ?? '';
  }
  const violations = [...output.matchAll(/error ([\w-]+): (\S+) →/g)].map((m) => `${m[1]}: ${m[2]}`);
  return { exitCode, violations: violations.sort() };
}

describe('the import-boundary check', () => {
  it('passes the tree as it is and fails on an upward import, a cycle, a stray folder, the CLI on the contract, an import of the entry', async () => {
    // A copy of the real tree, so the rules are shown to pass it as it is and catch each break.
    const dir = tempProject();
    cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true, filter: (p) => !p.endsWith('.test.ts') });
    // core/ sits below contract/: a type-only import up is still an import up.
    writeFileSync(
      join(dir, 'src/core/upward.ts'),
      "import type { HttpResponse } from '../contract/types.js';\nexport type Answer = HttpResponse;\n",
    );
    // Two modules that need each other.
    writeFileSync(
      join(dir, 'src/core/ping.ts'),
      "import { pong } from './pong.js';\nexport const ping = () => pong;\n",
    );
    writeFileSync(
      join(dir, 'src/core/pong.ts'),
      "import { ping } from './ping.js';\nexport const pong = () => ping;\n",
    );
    // A folder nobody placed in the layer order.
    mkdirSync(join(dir, 'src/misc'));
    writeFileSync(join(dir, 'src/misc/helper.ts'), "export { ping } from '../core/ping.js';\n");
    // The CLI reaching past the services into the HTTP contract.
    writeFileSync(join(dir, 'src/cli/routes.ts'), "export { CONTRACT } from '../contract/routes.js';\n");
    // The library importing its own public entry.
    writeFileSync(join(dir, 'src/stores/entry.ts'), "export * from '../index.js';\n");

    const { exitCode, violations } = await boundaries(dir);

    expect(exitCode).not.toBe(0);
    expect(violations).toEqual(
      [
        'cli-not-contract: src/cli/routes.ts',
        'in-a-layer: src/misc/helper.ts',
        'no-circular: src/core/ping.ts',
        'no-entry-imports: src/stores/entry.ts',
        'no-upward-from-core: src/core/upward.ts',
      ].sort(),
    );
  }, 60_000);
});
