import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, type ServerProcess, startProcess } from './process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/gatehouse.js');

/** One way to run the server: its JWT settings (written to gatehouse.config.json) and schemes. */
export interface GatehouseVariant {
  name: string;
  /** The `jwt` section of the config file; {} for the defaults (HS256 with the secret key). */
  jwt: Record<string, unknown>;
}

/** A private key in PEM for an asymmetric algorithm, generated per run. */
function privatePem(alg: 'ES256' | 'EdDSA'): string {
  const { privateKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The server configurations the bench measures (docs/jwt.md: algorithms and keys). */
export function variants(): Record<'main' | 'es256' | 'eddsa' | 'stateless', GatehouseVariant> {
  return {
    main: { name: 'main', jwt: {} },
    es256: { name: 'es256', jwt: { algorithm: 'ES256', signingKey: privatePem('ES256') } },
    eddsa: { name: 'eddsa', jwt: { algorithm: 'EdDSA', signingKey: privatePem('EdDSA') } },
    stateless: { name: 'stateless', jwt: { stateless: true } },
  };
}

/**
 * The variant's config file. The login and refresh throttles (30 logins/min per client ip by
 * default) are off: every request comes from 127.0.0.1, and the cases measure what a login or a
 * refresh costs, not how fast the throttle says 429.
 */
function configFile(variant: GatehouseVariant): Record<string, unknown> {
  return { jwt: variant.jwt, throttle: { login: null, loginUsername: null, refresh: null } };
}

export interface GatehouseServer extends ServerProcess {
  /** The schemes it runs, in order. */
  authentication: string[];
  /** Why a scheme the bench asked for is not running (this build lacks it), or null. */
  missing: string | null;
}

export interface StartGatehouseOptions {
  /** The bench's working directory; each variant gets its own cwd under it. */
  dir: string;
  databaseUrl: string;
  secretKey: string;
  variant: GatehouseVariant;
  /** Wanted schemes in order; a scheme this build does not have is dropped and reported. */
  authentication: string[];
  env?: NodeJS.ProcessEnv;
  /** Flags for node itself, e.g. `--cpu-prof` (NODE_OPTIONS does not take it). */
  nodeArgs?: string[];
}

/**
 * The environment `gatehouse serve` and the CLI get: production, logs at warn, the bench's
 * SQLite file and secret key, the schemes in order, 127.0.0.1.
 */
export function gatehouseEnv(opts: {
  secretKey: string;
  databaseUrl: string;
  authentication: readonly string[];
  port?: number;
  env?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...opts.env,
    NODE_ENV: 'production',
    GATEHOUSE_SECRET_KEY: opts.secretKey,
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_DATABASE_URL: opts.databaseUrl,
    GATEHOUSE_AUTHENTICATION: opts.authentication.join(','),
    GATEHOUSE_HOST: '127.0.0.1',
    ...(opts.port === undefined ? {} : { GATEHOUSE_PORT: String(opts.port) }),
  };
}

/** The bin the bench runs (`node bin/gatehouse.js <command>`), and where a variant's cwd is. */
export const GATEHOUSE_BIN = BIN;
export const variantDir = (dir: string, variant: GatehouseVariant): string => join(dir, variant.name);

/**
 * `node bin/gatehouse.js serve` in production mode (NODE_ENV=production, logs at warn) on the
 * given SQLite file, from a fresh working directory holding the variant's config file.
 *
 * @example
 * const srv = await startGatehouse({ dir, databaseUrl, secretKey, variant: variants().main, authentication: ['session', 'token', 'jwt'] });
 */
export async function startGatehouse(opts: StartGatehouseOptions): Promise<GatehouseServer> {
  const cwd = variantDir(opts.dir, opts.variant);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify(configFile(opts.variant), null, 2));
  let authentication = [...opts.authentication];
  let missing: string | null = null;
  for (;;) {
    const port = await freePort();
    try {
      const srv = await startProcess({
        name: `gatehouse (${opts.variant.name})`,
        command: process.execPath,
        args: [...(opts.nodeArgs ?? []), BIN, 'serve'],
        cwd,
        env: gatehouseEnv({ ...opts, authentication, port }),
        port,
        ready: /gatehouse listening on /,
      });
      return Object.assign(srv, { authentication, missing });
    } catch (err) {
      // A scheme that has not landed in this build: run without it and say so in the results.
      const m = /the "(\w+)" scheme is not available/.exec((err as Error).message);
      if (!m || !authentication.includes(m[1]!)) throw err;
      missing = `${missing ? `${missing}; ` : ''}the "${m[1]}" scheme is not available in this build`;
      authentication = authentication.filter((s) => s !== m[1]);
    }
  }
}
