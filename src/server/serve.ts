import type { AddressInfo } from 'node:net';
import type { GatehouseConfig } from '../core/config.js';
import type { Context } from '../core/context.js';
import { loadCommonPasswords } from '../core/password-validators.js';
import { sharedEmailsReport } from '../core/shared-emails.js';
import { createServices } from '../services/create.js';
import type { Stores } from '../stores/types.js';
import { buildServer, type Server } from './app.js';
import { openAppStores, type StoresFactory } from './app-stores.js';
import { ensureAdmin } from './bootstrap.js';
import { diagnose, type Finding } from './doctor.js';
import { adminPasswordBlock, reachableUrl, startupHint } from './first-run.js';
import { serverLogger } from './logger.js';

export interface StartOptions {
  config: GatehouseConfig;
  /** The config file's own stores (`loadProject`), laid over the ones the config's URLs open. */
  stores?: StoresFactory | undefined;
  env: NodeJS.ProcessEnv;
  /**
   * Where the notices for the operator go (the first admin's password, the start-up hint):
   * default stderr. Never the log stream, which is stdout.
   */
  notice?: (text: string) => void;
  /** Handle SIGTERM/SIGINT with a graceful shutdown (default true). */
  signals?: boolean;
  /**
   * Set in a worker of `gatehouse serve --workers` (its cluster id, reported by `/readyz`): the
   * primary has already migrated, created the first admin and announces the address, once.
   */
  worker?: number | undefined;
}

/** What the first start did: whether it created the `admin` user (the start-up hint names it). */
export interface FirstRun {
  createdAdmin: boolean;
}

/**
 * Opens the stores (applying migrations), creates the first admin on an empty database, and
 * listens. Resolves once the server accepts connections.
 *
 * @example
 * await startServer({ config: await loadConfig({ cwd, env }), env: process.env });
 */
export async function startServer(opts: StartOptions): Promise<Server> {
  const { config } = opts;
  const notice = opts.notice ?? defaultNotice;
  // Fail at start-up, not at the first sign-up, if the package's data file is missing.
  loadCommonPasswords();
  const stores = await openAppStores(config, opts.stores);
  let server: Server;
  try {
    server = await buildServer({ config, stores, logger: await serverLogger(config), worker: opts.worker });
  } catch (err) {
    await stores.close();
    throw err;
  }
  const { app, gh } = server;
  // Said once: by a single process here, by the primary (prepareStores) before it forks workers.
  if (opts.worker === undefined)
    await reportSettings(config, stores, notice, (f) => {
      app.log[f.severity === 'info' ? 'info' : 'warn'](
        { doctor: { rule: f.rule, severity: f.severity, path: f.path, fix: f.fix } },
        `doctor: ${f.message}`,
      );
    });
  const firstRun = opts.worker === undefined ? await createFirstAdmin(gh.ctx, opts.env, notice) : null;
  await app.listen({ host: config.server.host, port: config.server.port });
  if (firstRun) announceListening(config, (app.server.address() as AddressInfo).port, firstRun, notice);
  if (opts.signals !== false) onShutdownSignal(() => app.close());
  return server;
}

/**
 * What `gatehouse serve --workers` does once, in the primary, before it starts the workers:
 * checks the package's data, opens the stores (applying migrations, so the workers find them
 * done and never race each other over them), creates the first admin on an empty database, and
 * closes the stores again: each worker opens its own connections.
 *
 * @example
 * const firstRun = await prepareStores({ config, env: process.env });
 */
export async function prepareStores(opts: StartOptions): Promise<FirstRun> {
  loadCommonPasswords();
  const stores = await openAppStores(opts.config, opts.stores);
  try {
    const notice = opts.notice ?? defaultNotice;
    await reportSettings(opts.config, stores, notice, (f) =>
      notice(`gatehouse doctor: ${f.severity}: ${f.message} (${f.fix})`),
    );
    const { ctx } = createServices({ config: opts.config, stores });
    return await createFirstAdmin(ctx, opts.env, notice);
  } finally {
    await stores.close();
  }
}

/** The operator's notices once the server listens on `port`: its address and a first request. */
export function announceListening(
  config: GatehouseConfig,
  port: number,
  firstRun: FirstRun,
  notice: (text: string) => void = defaultNotice,
): void {
  const url = reachableUrl(config.server.host, port);
  notice(`gatehouse listening on ${url}`);
  notice(`  ${startupHint(config, url, firstRun.createdAdmin ? 'admin' : '<username>')}`);
}

const defaultNotice = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

/** Addresses several users share (email.unique) and `gatehouse doctor`'s findings, said at start. */
async function reportSettings(
  config: GatehouseConfig,
  stores: Stores,
  notice: (text: string) => void,
  report: (finding: Finding) => void,
): Promise<void> {
  const shared = await sharedEmailsReport(stores.users, config.email.unique);
  if (shared) notice(shared);
  for (const finding of diagnose(config)) report(finding);
}

async function createFirstAdmin(
  ctx: Context,
  env: NodeJS.ProcessEnv,
  notice: (text: string) => void,
): Promise<FirstRun> {
  const admin = await ensureAdmin(ctx, env);
  if (admin?.password) notice(adminPasswordBlock(admin.password));
  else if (admin)
    notice('gatehouse: created the user "admin" with the password from GATEHOUSE_ADMIN_PASSWORD.');
  return { createdAdmin: admin !== null };
}

function onShutdownSignal(close: () => Promise<unknown>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    // In-flight requests finish; new connections are refused; stores close last.
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 10_000).unref();
    process.stderr.write(`gatehouse: ${signal} received, shutting down\n`);
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
