import type { AddressInfo } from 'node:net';
import type { GatehouseConfig } from '../core/config.js';
import { loadCommonPasswords } from '../core/password-validators.js';
import { sharedEmailsReport } from '../core/shared-emails.js';
import { buildServer, type Server } from './app.js';
import { openAppStores, type StoresFactory } from './app-stores.js';
import { ensureAdmin } from './bootstrap.js';
import { diagnose } from './doctor.js';
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
  const notice = opts.notice ?? ((text: string) => process.stderr.write(`${text}\n`));
  // Fail at start-up, not at the first sign-up, if the package's data file is missing.
  loadCommonPasswords();
  const stores = await openAppStores(config, opts.stores);
  let server: Server;
  try {
    server = await buildServer({ config, stores, logger: await serverLogger(config) });
  } catch (err) {
    await stores.close();
    throw err;
  }
  const { app, gh } = server;
  const shared = await sharedEmailsReport(stores.users, config.email.unique);
  if (shared) notice(shared);
  // `gatehouse doctor`'s checks, logged once: a risky setting is said where the operator looks.
  for (const f of diagnose(config)) {
    const level = f.severity === 'info' ? 'info' : 'warn';
    app.log[level](
      { doctor: { rule: f.rule, severity: f.severity, path: f.path, fix: f.fix } },
      `doctor: ${f.message}`,
    );
  }
  const admin = await ensureAdmin(gh.ctx, opts.env);
  if (admin?.password) notice(adminPasswordBlock(admin.password));
  else if (admin)
    notice('gatehouse: created the user "admin" with the password from GATEHOUSE_ADMIN_PASSWORD.');
  await app.listen({ host: config.server.host, port: config.server.port });
  const url = reachableUrl(config.server.host, (app.server.address() as AddressInfo).port);
  notice(`gatehouse listening on ${url}`);
  notice(`  ${startupHint(config, url, admin ? 'admin' : '<username>')}`);
  if (opts.signals !== false) onShutdownSignal(() => app.close());
  return server;
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
