import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomSecret } from '../crypto/random.js';

/**
 * Development only: the secret key is generated on first start into .gatehouse/secret (mode
 * 0600) and read from there afterwards, so tokens survive a restart. Production must set one.
 */
export function loadDevelopmentSecret(cwd: string, notice?: (message: string) => void): string {
  const dir = join(cwd, '.gatehouse');
  const file = join(dir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomSecret(48);
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process (a CLI command, a second instance) made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  chmodSync(file, 0o600);
  notice?.(`generated a development secret key in ${file} (set GATEHOUSE_SECRET_KEY in production)`);
  return secret;
}
