import { loadConfig } from '../../server/config-file.js';
import { migrate } from '../../stores/open.js';
import { noArguments, stringFlag } from '../args.js';
import type { Command } from '../command.js';

/** `gatehouse migrate`: applies pending schema migrations to the configured database. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  usage: 'migrate [--config <file>]',
  flags: {},
  async run(args, { io, print }) {
    noArguments(args.positionals);
    const config = await loadConfig({ cwd: io.cwd, env: io.env, configPath: stringFlag(args, 'config') });
    const { applied } = await migrate(config.database);
    print(
      applied.length
        ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
        : 'No migrations to apply.',
    );
    return 0;
  },
};
