import { isAbsolute, resolve } from 'node:path';
import type { GatehouseConfig } from '../../core/config.js';
import { JwtKeyError } from '../../core/errors.js';
import {
  DEFAULT_KEYS_FILE,
  KEYS_FILE_ENV,
  readKeysFile,
  retireAtMs,
  writeKeysFile,
} from '../../crypto/jwt/jwks-file.js';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../../crypto/jwt/keys.js';
import { addSigningKey, rotateSigningKey } from '../../schemes/jwt/key-rotation.js';
import { loadConfig } from '../../server/config-file.js';
import { noArguments, stringFlag, unknownAction } from '../args.js';
import { type Command, type CommandEnv, CommandFailed, type ParsedArgs, UsageError } from '../command.js';

const USAGE = [
  'keys generate [--alg <alg>] [--file <path>]',
  '       gatehouse keys rotate [--alg <alg>] [--file <path>]',
  '       gatehouse keys list [--file <path>]',
].join('\n');

/**
 * `gatehouse keys generate|rotate|list`: the JWT signing keys in the keys file (default
 * `.gatehouse/jwt-keys.json`, or GATEHOUSE_JWT_KEYS_FILE, or `jwt.keysFile`). `generate` adds a
 * key that is published in the JWKS but does not sign yet (the first key of a new file signs at
 * once); `rotate` makes the newest such key the signer and keeps the old one verifying until the
 * tokens it signed have expired. Instances read the file at start-up: restart them after each step.
 */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'generate, rotate and list the JWT signing keys (the keys file)',
  usage: USAGE,
  flags: {
    alg: {
      type: 'string',
      value: 'alg',
      description: `signing algorithm of a new key: ${JWT_ALGORITHMS.join(', ')}`,
      default: "jwt.algorithm, HS256 unless configured; rotate: the current key's",
    },
    file: {
      type: 'string',
      value: 'path',
      description: 'the keys file',
      default: `${KEYS_FILE_ENV}, else jwt.keysFile, else ${DEFAULT_KEYS_FILE}`,
    },
  },
  async run(args, env) {
    const [action, ...rest] = args.positionals;
    noArguments(rest);
    const config = await loadConfig({
      cwd: env.io.cwd,
      env: env.io.env,
      configPath: stringFlag(args, 'config'),
      notice: (m) => env.io.stderr.write(`gatehouse: ${m}\n`),
    });
    const path = keysFilePath(args, env, config);
    if (action === 'generate') return generate(path, algFlag(args, config), env, config);
    if (action === 'rotate') return rotate(path, args, env, config);
    if (action === 'list') {
      if (args.flags.alg !== undefined) throw new UsageError('--alg does not apply to "keys list"');
      return list(path, env);
    }
    throw unknownAction(action, ['generate', 'rotate', 'list']);
  },
};

function keysFilePath(args: ParsedArgs, env: CommandEnv, config: GatehouseConfig): string {
  const path =
    stringFlag(args, 'file') ?? env.io.env[KEYS_FILE_ENV] ?? config.jwt.keysFile ?? DEFAULT_KEYS_FILE;
  return isAbsolute(path) ? path : resolve(env.io.cwd, path);
}

function algFlag(args: ParsedArgs, config: GatehouseConfig, fallback?: JwtAlgorithm): JwtAlgorithm {
  const alg = stringFlag(args, 'alg');
  if (alg === undefined) return fallback ?? config.jwt.algorithm;
  if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new UsageError(`--alg: expected one of ${JWT_ALGORITHMS.join(', ')}, got ${JSON.stringify(alg)}`);
  }
  return alg as JwtAlgorithm;
}

function generate(path: string, alg: JwtAlgorithm, env: CommandEnv, config: GatehouseConfig): number {
  const file = readKeysFile(path) ?? { current: null, keys: [] };
  const { key, signs } = addSigningKey(file, alg);
  writeKeysFile(path, file);
  env.print(`Generated ${alg} key ${key.kid} in ${path}.`);
  env.print(
    signs
      ? 'It signs new tokens once the server (re)starts with this keys file.'
      : 'It is published in the JWKS but does not sign yet: restart every instance, then run `gatehouse keys rotate`.',
  );
  hintConfig(path, env, config);
  return 0;
}

function rotate(path: string, args: ParsedArgs, env: CommandEnv, config: GatehouseConfig): number {
  const file = readKeysFile(path);
  if (!file?.current) {
    throw new CommandFailed(`no current key in ${path}: run \`gatehouse keys generate --alg <alg>\` first`);
  }
  // The policy (which key signs next, how long the old one verifies) is the library's.
  const alg = args.flags.alg === undefined ? undefined : algFlag(args, config);
  let rotation: ReturnType<typeof rotateSigningKey>;
  try {
    rotation = rotateSigningKey(file, config.jwt, alg === undefined ? {} : { alg });
  } catch (err) {
    if (err instanceof JwtKeyError) throw new CommandFailed(err.message);
    throw err;
  }
  const { signer: next, retired: old, dropped } = rotation;
  writeKeysFile(path, file);
  env.print(`Key ${next.kid} (${next.alg}) now signs; ${old.kid} verifies until ${old.retireAt}.`);
  if (dropped.length)
    env.print(`Removed ${dropped.length} expired key(s): ${dropped.map((k) => k.kid).join(', ')}.`);
  env.print('Restart every instance to sign with the new key.');
  hintConfig(path, env, config);
  return 0;
}

function list(path: string, env: CommandEnv): number {
  const file = readKeysFile(path);
  if (!file || !file.keys.length) throw new CommandFailed(`no keys in ${path}`);
  const now = Date.now();
  env.print('kid\talg\tstatus\tcreated');
  for (const key of file.keys) {
    const retire = retireAtMs(key);
    const status =
      key.kid === file.current
        ? 'signing'
        : retire === null
          ? 'pending'
          : retire > now
            ? `retiring ${key.retireAt}`
            : 'expired';
    env.print(`${key.kid}\t${key.alg}\t${status}\t${key.createdAt}`);
  }
  return 0;
}

function hintConfig(path: string, env: CommandEnv, config: GatehouseConfig): void {
  const configured = config.jwt.keysFile ?? env.io.env[KEYS_FILE_ENV];
  if (configured === undefined || resolve(env.io.cwd, configured) !== path) {
    env.io.stderr.write(
      `gatehouse: the server uses this file when jwt.keysFile (or ${KEYS_FILE_ENV}) names it: ${path}\n`,
    );
  }
}
