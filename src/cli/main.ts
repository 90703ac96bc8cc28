import { readFileSync } from 'node:fs';
import { ConfigError, ValidationError } from '../core/errors.js';
import { openAppStores } from '../server/app-stores.js';
import { loadProject } from '../server/config-file.js';
import { createServices } from '../services/create.js';
import type { Services } from '../services/types.js';
import { parseArgs, stringFlag } from './args.js';
import {
  type Command,
  type CommandEnv,
  CommandFailed,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type Io,
  OutputClosed,
  UsageError,
} from './command.js';
import { COMMANDS } from './commands/index.js';
import { commandHelp, overview } from './help.js';
import { commandFirst } from './leading-flags.js';
import { printer, watchStream } from './output.js';
import { promptHidden, readStdin } from './prompt.js';

const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});

/**
 * The `gatehouse` command line. Returns the exit code: 0 done, 1 failed, 2 bad usage.
 *
 * @example
 * process.exitCode = await main(['createuser', 'alice', '--password-stdin']);
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = commandFirst(argv);
  watchStream(io.stdout);
  watchStream(io.stderr);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview(COMMANDS));
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`gatehouse: unknown command "${name}"\n\n${overview(COMMANDS)}`);
    return EXIT_USAGE;
  }
  return runCommand(command, rest, io);
}

async function runCommand(command: Command, argv: readonly string[], io: Io): Promise<number> {
  const opened: Services[] = [];
  try {
    const args = parseArgs(argv, command.flags);
    if (args.flags.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    const env: CommandEnv = {
      io,
      print: printer(io.stdout),
      readSecret: (prompt) => (io.stdin.isTTY ? promptHidden(io, prompt) : readStdin(io)),
      // The app's config file and its own stores (its users table), as `gatehouse serve` opens them.
      open: async () => {
        const { config, stores: own } = await loadProject({
          cwd: io.cwd,
          env: io.env,
          configPath: stringFlag(args, 'config'),
          notice: (m) => io.stderr.write(`gatehouse: ${m}\n`),
        });
        const stores = await openAppStores(config, own);
        // The services alone: a command acts on users, tokens and sessions, never over HTTP.
        const services = createServices({ config, stores });
        opened.push(services);
        return services;
      },
    };
    return await command.run(args, env);
  } catch (err) {
    return report(err, command, io);
  } finally {
    for (const services of opened) await services.ctx.stores.close().catch(() => {});
  }
}

function report(err: unknown, command: Command, io: Io): number {
  // The reader of our output has gone (`| head -1`): nothing is wrong, and nobody to tell.
  if (err instanceof OutputClosed) return EXIT_OK;
  if (err instanceof UsageError) {
    io.stderr.write(`gatehouse ${command.name}: ${err.message}\n\n${commandHelp(command)}`);
    return EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    io.stderr.write(`gatehouse ${command.name}: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ValidationError) {
    const lines = Object.entries(err.fields).map(([k, v]) => `  ${k}: ${v.join(' ')}`);
    io.stderr.write(`gatehouse ${command.name}: refused:\n${lines.join('\n')}\n`);
    return EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`gatehouse ${command.name}: ${message}\n`);
  if (!(err instanceof CommandFailed) && io.env.GATEHOUSE_DEBUG && err instanceof Error)
    io.stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
