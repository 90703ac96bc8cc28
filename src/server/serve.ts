import type { GatehouseConfig } from '../core/config.js';
import { loadCommonPasswords } from '../core/password-validators.js';
import { openStores } from '../stores/open.js';
import { buildServer, type Server } from './app.js';
import { ensureAdmin } from './bootstrap.js';

export interface StartOptions {
  config: GatehouseConfig;
  env: NodeJS.ProcessEnv;
  /** Where the one-time notices go (the admin password); not the log. */
  print: (line: string) => void;
  /** Handle SIGTERM/SIGINT with a graceful shutdown (default true). */
  signals?: boolean;
}

/**
 * Opens the stores (applying migrations), creates the first admin on an empty database, and
 * listens. Resolves once the server accepts connections.
 */
export async function startServer(opts: StartOptions): Promise<Server> {
  const { config } = opts;
  // Fail at start-up, not at the first sign-up, if the package's data file is missing.
  loadCommonPasswords();
  const stores = await openStores(config);
  let server: Server;
  try {
    server = await buildServer({ config, stores });
  } catch (err) {
    await stores.close();
    throw err;
  }
  const { app, gh } = server;
  const admin = await ensureAdmin(gh.ctx, opts.env);
  if (admin?.password) {
    opts.print(
      `Created user "admin" with password: ${admin.password}\n` +
        '  (shown once; change it with `gatehouse changepassword admin`)',
    );
  } else if (admin) {
    opts.print('Created user "admin" with the password from GATEHOUSE_ADMIN_PASSWORD.');
  }
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  opts.print(`gatehouse listening on ${address} (try: curl ${address}/api/me/)`);
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
