import { loadConfig } from '../../server/config-file.js';
import { startServer } from '../../server/serve.js';
import { stringFlag } from '../args.js';
import { type Command, UsageError } from '../command.js';

/** `gatehouse serve`: the standalone server, until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the server (migrations are applied first)',
  usage: 'serve [--port <port>] [--host <host>] [--config <file>]',
  flags: {
    port: { type: 'string', description: 'port to listen on (default 8000, or GATEHOUSE_PORT)' },
    host: { type: 'string', description: 'address to bind (default 127.0.0.1, or GATEHOUSE_HOST)' },
  },
  async run(args, { io, print }) {
    if (args.positionals.length)
      throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const env = { ...io.env };
    const port = stringFlag(args, 'port');
    const host = stringFlag(args, 'host');
    if (port !== undefined) env.GATEHOUSE_PORT = port;
    if (host !== undefined) env.GATEHOUSE_HOST = host;
    const config = await loadConfig({
      cwd: io.cwd,
      env,
      configPath: stringFlag(args, 'config'),
      notice: (m) => io.stderr.write(`gatehouse: ${m}\n`),
    });
    await startServer({ config, env, print });
    // Keep running: the server's own handles keep the process alive until a signal closes it.
    return new Promise<number>(() => {});
  },
};
