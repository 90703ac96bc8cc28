import type { Command } from '../command.js';
import { activateCommand } from './activate.js';
import { auditCommand } from './audit.js';
import { changepasswordCommand } from './changepassword.js';
import { createuserCommand } from './createuser.js';
import { deactivateCommand } from './deactivate.js';
import { doctorCommand } from './doctor.js';
import { flushExpiredCommand } from './flush-expired.js';
import { keysCommand } from './keys.js';
import { mfaCommand } from './mfa.js';
import { migrateCommand } from './migrate.js';
import { sendtestemailCommand } from './sendtestemail.js';
import { serveCommand } from './serve.js';
import { sessionsCommand } from './sessions.js';
import { tokenCommand } from './token.js';
import { usersCommand } from './users.js';

/** Every `gatehouse` command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  migrateCommand,
  createuserCommand,
  usersCommand,
  changepasswordCommand,
  deactivateCommand,
  activateCommand,
  tokenCommand,
  sessionsCommand,
  mfaCommand,
  keysCommand,
  flushExpiredCommand,
  auditCommand,
  sendtestemailCommand,
  doctorCommand,
];
