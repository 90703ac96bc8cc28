import type { Command } from '../command.js';
import { auditCommand } from './audit.js';
import { changepasswordCommand } from './changepassword.js';
import { createuserCommand } from './createuser.js';
import { deactivateCommand } from './deactivate.js';
import { flushExpiredCommand } from './flush-expired.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';

/** Every `gatehouse` command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  migrateCommand,
  createuserCommand,
  changepasswordCommand,
  deactivateCommand,
  tokenCommand,
  keysCommand,
  flushExpiredCommand,
  auditCommand,
];
