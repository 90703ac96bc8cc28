import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type GatehouseConfig,
  type GatehouseConfigInput,
  isResolvedConfig,
  resolveConfig,
} from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_KEYS_FILE, KEYS_FILE_ENV } from '../crypto/jwt/jwks-file.js';
import type { StoresFactory } from './app-stores.js';
import { loadDevelopmentSecret } from './secret.js';

export const CONFIG_FILES = [
  'gatehouse.config.ts',
  'gatehouse.config.js',
  'gatehouse.config.mjs',
  'gatehouse.config.json',
];

export interface LoadConfigOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** An explicit config file (--config); otherwise the first of CONFIG_FILES in cwd. */
  configPath?: string | undefined;
  /** Say what was done (the generated secret). */
  notice?: (message: string) => void;
}

/** A config file's contents: the resolved config, and the app's own stores when it exports them. */
export interface LoadedProject {
  config: GatehouseConfig;
  /** The config file's named `stores` export (docs/users.md), used over the default stores. */
  stores?: StoresFactory | undefined;
}

/**
 * Resolves the config the way the server and every CLI command do: the config file in the
 * working directory, then GATEHOUSE_* environment variables (env wins), then validation, once. In
 * development a missing secret key is generated once into .gatehouse/secret.
 *
 * @example
 * const config = await loadConfig({ cwd: process.cwd(), env: process.env });
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<GatehouseConfig> {
  return (await loadProject(opts)).config;
}

/**
 * {@link loadConfig}, and the config file's `stores` export: what `gatehouse serve` and the CLI
 * open, so they act on the application's own users table.
 *
 * @example
 * const { config, stores } = await loadProject({ cwd: process.cwd(), env: process.env });
 */
export async function loadProject(opts: LoadConfigOptions): Promise<LoadedProject> {
  const file = await readConfigFile(opts.cwd, opts.configPath);
  const input = mergeEnv(file.config, opts.env);
  useDefaultKeysFile(input, opts.cwd);
  if (!input.secretKey) {
    if (input.production) {
      throw new ConfigError([
        {
          path: 'secretKey',
          message: 'required in production (set GATEHOUSE_SECRET_KEY or secretKey in the config file)',
        },
      ]);
    }
    input.secretKey = loadDevelopmentSecret(opts.cwd, opts.notice);
  }
  return { config: resolveConfig(input as GatehouseConfigInput), stores: file.stores };
}

interface ConfigFile {
  config: Record<string, unknown>;
  stores?: StoresFactory | undefined;
}

async function readConfigFile(cwd: string, configPath?: string): Promise<ConfigFile> {
  const path = configPath
    ? resolve(cwd, configPath)
    : CONFIG_FILES.map((f) => resolve(cwd, f)).find(existsSync);
  if (!path) return { config: {} };
  if (!existsSync(path)) throw fileError(`config file not found: ${path}`);
  let mod: Record<string, unknown>;
  try {
    if (path.endsWith('.json')) {
      const { readFile } = await import('node:fs/promises');
      return { config: asObject(JSON.parse(await readFile(path, 'utf8')), path) };
    }
    if (path.endsWith('.ts') || path.endsWith('.mts')) {
      // Node 20 cannot import TypeScript; jiti transpiles the file (and what it imports).
      const { createJiti } = await import('jiti');
      mod = (await createJiti(import.meta.url, { interopDefault: false }).import(path)) as Record<
        string,
        unknown
      >;
    } else mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw fileError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  return { config: asObject(mod.default ?? mod, path), stores: storesExport(mod.stores, path) };
}

/** A problem with the file itself, not with one of the config's keys: no key, no heading. */
function fileError(message: string): ConfigError {
  return new ConfigError([{ path: '', message }], null);
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (isResolvedConfig(value)) {
    // Its output is not valid input (lifetimes in seconds), and env variables must still apply.
    throw fileError(
      `config file ${path} exports a resolved config: export the input, \`export default defineConfig({...})\``,
    );
  }
  if (value && typeof value === 'object' && !Array.isArray(value))
    return { ...(value as Record<string, unknown>) };
  throw fileError(`config file ${path} must export an object (export default defineConfig({...}))`);
}

function storesExport(value: unknown, path: string): StoresFactory | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as StoresFactory;
  throw fileError(
    `config file ${path}: the \`stores\` export must be a function (config) => ({ users: … }), got ${typeof value}`,
  );
}

type Setter = (input: Record<string, unknown>, value: string, name: string) => void;

const set =
  (...path: string[]): Setter =>
  (input, value) => {
    let obj = input;
    for (const key of path.slice(0, -1)) {
      const next = obj[key];
      obj[key] = next && typeof next === 'object' ? { ...(next as object) } : {};
      obj = obj[key] as Record<string, unknown>;
    }
    obj[path[path.length - 1]!] = value;
  };

const map =
  (setter: Setter, convert: (value: string, name: string) => unknown): Setter =>
  (input, value, name) =>
    setter(input, convert(value, name) as string, name);

function bool(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError([
    { path: name, message: `expected true or false (1/0, yes/no), got ${JSON.stringify(value)}` },
  ]);
}

function int(value: string, name: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new ConfigError([{ path: name, message: `expected a whole number, got ${JSON.stringify(value)}` }]);
  }
  return Number(value);
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Every GATEHOUSE_* variable and the config key it sets. */
export const ENV_VARS: Record<string, Setter> = {
  GATEHOUSE_SECRET_KEY: set('secretKey'),
  GATEHOUSE_SECRET_KEY_FALLBACKS: map(set('secretKeyFallbacks'), list),
  GATEHOUSE_DATABASE_URL: set('database'),
  GATEHOUSE_REDIS_URL: set('redis'),
  GATEHOUSE_HOST: set('server', 'host'),
  GATEHOUSE_PORT: map(set('server', 'port'), int),
  GATEHOUSE_WORKERS: map(set('server', 'workers'), (v, name) =>
    v.trim() === 'auto' ? 'auto' : int(v, name),
  ),
  GATEHOUSE_TRUST_PROXY: map(set('server', 'trustProxy'), (v) =>
    ['true', '1'].includes(v) ? true : ['false', '0', ''].includes(v) ? false : list(v),
  ),
  GATEHOUSE_CORS_ORIGINS: map(set('server', 'cors', 'origins'), list),
  GATEHOUSE_CORS_CREDENTIALS: map(set('server', 'cors', 'credentials'), bool),
  GATEHOUSE_AUTHENTICATION: map(set('authentication'), list),
  GATEHOUSE_BASIC: map(set('basic'), bool),
  GATEHOUSE_SIGNUP: map(set('signup'), bool),
  GATEHOUSE_EMAIL_URL: set('email', 'url'),
  GATEHOUSE_EMAIL_FROM: set('email', 'from'),
  GATEHOUSE_EMAIL_BASE_URL: set('email', 'baseUrl'),
  GATEHOUSE_LOG_LEVEL: set('logLevel'),
  GATEHOUSE_METRICS: map(set('metrics', 'enabled'), bool),
  GATEHOUSE_METRICS_TOKEN: set('metrics', 'token'),
  GATEHOUSE_METRICS_PORT: map(set('metrics', 'port'), int),
  [KEYS_FILE_ENV]: set('jwt', 'keysFile'),
};

/** `gatehouse keys generate` then `serve` works with no config: the default keys file is used when present. */
function useDefaultKeysFile(input: Record<string, unknown>, cwd: string): void {
  const jwt = (input.jwt ?? {}) as Record<string, unknown>;
  const path = resolve(cwd, DEFAULT_KEYS_FILE);
  if (jwt.keysFile === undefined && existsSync(path)) input.jwt = { ...jwt, keysFile: path };
}

function mergeEnv(fromFile: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const input: Record<string, unknown> = { ...fromFile };
  if (env.NODE_ENV === 'production') input.production = true;
  for (const [name, setter] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value !== undefined) setter(input, value, name);
  }
  return input;
}
