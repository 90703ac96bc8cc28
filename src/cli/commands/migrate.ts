import { sharedEmailsReport } from '../../core/shared-emails.js';
import { loadConfig } from '../../server/config-file.js';
import { migrate, openStores } from '../../stores/open.js';
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
    // The users table the migrations just brought up to date (not Redis, not an app's own stores).
    const stores = await openStores({ database: config.database });
    try {
      const shared = await sharedEmailsReport(stores.users, config.email.unique);
      if (shared) io.stderr.write(`${shared}\n`);
    } finally {
      await stores.close();
    }
    return 0;
  },
};
