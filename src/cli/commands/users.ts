import { userView } from '../../core/views/user.js';
import type { UserRecord, UserStore } from '../../stores/types.js';
import { noArguments, unknownAction } from '../args.js';
import { type Command, CommandFailed, type ParsedArgs } from '../command.js';
import { printable, safe, stamp, tableRow, widths } from '../text.js';

/** Users read per store call: memory stays bounded however large the table. */
export const USERS_PAGE_SIZE = 500;

const HEADER = [
  'ID',
  'USERNAME',
  'EMAIL',
  'VERIFIED',
  'ACTIVE',
  'STAFF',
  'DATE JOINED',
  'LAST LOGIN',
] as const;

/**
 * `gatehouse users list [--json]`: every user, by id, read a page at a time. The table's columns
 * are sized by the first page; `--json` prints one JSON array, streamed as it is read.
 */
export const usersCommand: Command = {
  name: 'users',
  summary: 'list users (id, username, email, verified, active, staff, date joined, last login)',
  usage: 'users list [--json]',
  flags: {
    json: { type: 'boolean', description: 'one JSON array of users instead of a table' },
  },
  async run(args, { open, print }) {
    const [action, ...rest] = args.positionals;
    if (action !== 'list') throw unknownAction(action, ['list']);
    noArguments(rest);
    const services = await open();
    const { list } = services.ctx.stores.users;
    if (!list) {
      throw new CommandFailed(
        'the configured user store cannot list users: give it a list({ afterId, limit }) method (see docs/users.md)',
      );
    }
    const pages = pagesOf(list.bind(services.ctx.stores.users));
    return isJson(args) ? printJson(pages, print) : printTable(pages, print);
  },
};

const isJson = (args: ParsedArgs): boolean => args.flags.json === true;

async function* pagesOf(list: NonNullable<UserStore['list']>): AsyncGenerator<UserRecord[]> {
  let afterId: number | undefined;
  for (;;) {
    const page = await list(
      afterId === undefined ? { limit: USERS_PAGE_SIZE } : { afterId, limit: USERS_PAGE_SIZE },
    );
    if (page.length) yield page;
    if (page.length < USERS_PAGE_SIZE) return;
    afterId = page[page.length - 1]!.id;
  }
}

async function printTable(
  pages: AsyncGenerator<UserRecord[]>,
  print: (line: string) => void,
): Promise<number> {
  let columnWidths: number[] | null = null;
  for await (const page of pages) {
    const rows = page.map(row);
    if (columnWidths === null) {
      columnWidths = widths([[...HEADER], ...rows]);
      print(tableRow(HEADER, columnWidths));
    }
    for (const r of rows) print(tableRow(r, columnWidths));
  }
  if (columnWidths === null) print('No users.');
  return 0;
}

const yesNo = (flag: boolean): string => (flag ? 'yes' : 'no');

function row(u: UserRecord): string[] {
  return [
    String(u.id),
    printable(u.username),
    printable(u.email) || '-',
    u.email === '' ? '-' : yesNo(u.emailVerified === true),
    yesNo(u.isActive),
    yesNo(u.isAdmin),
    stamp(u.dateJoined),
    stamp(u.lastLogin),
  ];
}

async function printJson(
  pages: AsyncGenerator<UserRecord[]>,
  print: (line: string) => void,
): Promise<number> {
  let first = true;
  print('[');
  for await (const page of pages) {
    for (const u of page) {
      print(`${first ? '' : ','}${safe(JSON.stringify(userView(u)))}`);
      first = false;
    }
  }
  print(']');
  return 0;
}
