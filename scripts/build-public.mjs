// The account page: its browser TypeScript compiled by its own tsconfig (DOM types, ES
// modules), and its HTML, CSS and icon copied beside it, into dist/public, which the
// standalone server serves from the package (no CDN).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/public');

execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.public.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
mkdirSync(out, { recursive: true });
for (const file of readdirSync(join(root, 'public'))) {
  if (/\.(html|css|svg)$/.test(file)) copyFileSync(join(root, 'public', file), join(out, file));
}
