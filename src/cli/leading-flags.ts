import { GLOBAL_FLAGS } from './args.js';

/**
 * `gatehouse --config ./app.config.ts createuser ada` reads as naturally as `gatehouse createuser
 * ada --config …`: global flags given before the command are moved after it, where the
 * command's parser reads them (and refuses what it does not know).
 *
 * @example
 * commandFirst(['--config', 'x.ts', 'migrate']); // ['migrate', '--config', 'x.ts']
 */
export function commandFirst(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--help') break;
    const eq = arg.indexOf('=');
    const spec = GLOBAL_FLAGS[arg.slice(2, eq < 0 ? undefined : eq)];
    if (!spec) break;
    const takesValue = spec.type !== 'boolean' && eq < 0;
    leading.push(...argv.slice(i, i + (takesValue ? 2 : 1)));
    i += takesValue ? 2 : 1;
  }
  if (i === 0) return [...argv];
  return [...argv.slice(i, i + 1), ...leading, ...argv.slice(i + 1)];
}
