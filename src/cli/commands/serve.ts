import { MAX_WORKERS } from '../../core/settings/server.js';
import { workerCount } from '../../server/cluster/workers.js';
import { loadProject } from '../../server/config-file.js';
import { importOptional } from '../../stores/optional-package.js';
import { noArguments, stringFlag } from '../args.js';
import { type Command, type CommandEnv, OutputClosed, UsageError } from '../command.js';

const MAX_PORT = 65_535;
/** What the standalone server runs on: optional peers, so a library app installs neither. */
const SERVER_PACKAGES = ['fastify', '@fastify/cors'] as const;

/** `gatehouse serve`: the standalone server, until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the server (migrations are applied first)',
  usage: 'serve [--port <port>] [--host <host>] [--workers <n|auto>] [--config <file>]',
  flags: {
    port: {
      type: 'string',
      value: 'port',
      description: 'port to listen on; 0 picks a free one',
      default: 'GATEHOUSE_PORT, else server.port, else 8000',
    },
    host: {
      type: 'string',
      value: 'host',
      description: 'address to bind',
      default: 'GATEHOUSE_HOST, else server.host, else 127.0.0.1',
    },
    workers: {
      type: 'string',
      value: 'n|auto',
      description: `processes sharing the port, 1 to ${MAX_WORKERS}; auto: one per core`,
      default: 'GATEHOUSE_WORKERS, else server.workers, else 1',
    },
  },
  async run(args, { io }) {
    noArguments(args.positionals);
    const env = { ...io.env };
    // Checked here, not by the config loader: its message would name GATEHOUSE_PORT, which the
    // operator never set.
    const port = portFlag(stringFlag(args, 'port'));
    const host = hostFlag(stringFlag(args, 'host'));
    const workers = workersFlag(stringFlag(args, 'workers'));
    if (port !== undefined) env.GATEHOUSE_PORT = port;
    if (host !== undefined) env.GATEHOUSE_HOST = host;
    if (workers !== undefined) env.GATEHOUSE_WORKERS = workers;
    const project = await loadProject({
      cwd: io.cwd,
      env,
      configPath: stringFlag(args, 'config'),
      notice: (m) => io.stderr.write(`gatehouse: ${m}\n`),
    });
    // Loaded here, not at start-up: the other commands run in apps that never install Fastify.
    const { startServer } = await importOptional(
      SERVER_PACKAGES,
      'gatehouse serve needs',
      () => import('../../server/serve.js'),
    );
    // The notices (the first admin's password) go to stderr; stdout is the log stream.
    const notice = quietWhenClosed((text) => io.stderr.write(`${text}\n`));
    const count = workerCount(project.config.server.workers);
    if (count > 1) {
      const { runCluster } = await import('../../server/cluster/primary.js');
      return runCluster({
        ...project,
        env,
        notice,
        cwd: io.cwd,
        configPath: stringFlag(args, 'config'),
        workers: count,
      });
    }
    await startServer({ ...project, env, notice });
    // Keep running: the server's own handles keep the process alive until a signal closes it.
    return new Promise<number>(() => {});
  },
};

function portFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > MAX_PORT) {
    throw new UsageError(
      `--port: expected a whole number from 0 to ${MAX_PORT}, got ${JSON.stringify(value)}`,
    );
  }
  return String(Number(value));
}

function workersFlag(value: string | undefined): string | undefined {
  if (value === undefined || value === 'auto') return value;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
    throw new UsageError(
      `--workers: expected a whole number from 1 to ${MAX_WORKERS}, or auto (one per core), got ${JSON.stringify(value)}`,
    );
  }
  return String(Number(value));
}

function hostFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '' || /\s/.test(value)) {
    throw new UsageError(
      `--host: expected an address or host name such as 127.0.0.1, 0.0.0.0 or ::, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A running server outlives its reader (`serve | head -3`): what it prints then is dropped. */
function quietWhenClosed(print: CommandEnv['print']): CommandEnv['print'] {
  return (line) => {
    try {
      print(line);
    } catch (err) {
      if (!(err instanceof OutputClosed)) throw err;
    }
  };
}
