import { type FlagSpec, type ParsedArgs, UsageError } from './command.js';

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  config: {
    type: 'string',
    value: 'file',
    description: 'the config file',
    default: 'gatehouse.config.{ts,js,mjs,json} in the working directory',
  },
  help: { type: 'boolean', description: 'show this help' },
};

/** Parses argv against the command's flags; an unknown or incomplete flag is a UsageError. */
export function parseArgs(argv: readonly string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const all = { ...GLOBAL_FLAGS, ...specs };
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg === '-h') flags.help = true;
      else positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = all[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) i++;
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    if (spec.type === 'list') {
      const prev = flags[name];
      flags[name] = [...(Array.isArray(prev) ? prev : []), value];
    } else flags[name] = value;
    value = undefined;
  }
  return { positionals, flags };
}

/** A string flag's value, or undefined. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A list flag's values (may be empty). */
export function listFlag(args: ParsedArgs, name: string): string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Exactly `n` positionals, named for the message. */
export function positionals(args: ParsedArgs, names: string[]): string[] {
  return exactly(args.positionals, names);
}

/** No arguments (a command that takes flags only, or what follows `users list`). */
export function noArguments(values: string[]): void {
  exactly(values, []);
}

/** Exactly one argument, e.g. the one after a subcommand's action (`token list <username>`). */
export function oneArgument(values: string[], name: string): string {
  return exactly(values, [name])[0]!;
}

function exactly(values: string[], names: string[]): string[] {
  if (values.length < names.length) throw new UsageError(`missing <${names[values.length]}>`);
  if (values.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(values[names.length])}`);
  }
  return values;
}

/**
 * A subcommand accepts only its own flags (and the global --config): `token list --ttl 1d` is a
 * UsageError naming the flag and `command` (e.g. "token list").
 */
export function onlyFlags(args: ParsedArgs, command: string, allowed: string[]): void {
  for (const flag of Object.keys(args.flags)) {
    if (flag !== 'config' && !allowed.includes(flag))
      throw new UsageError(`--${flag} does not apply to "${command}"`);
  }
}

/** The UsageError for a missing or unknown subcommand action, naming the ones there are. */
export function unknownAction(action: string | undefined, actions: string[]): UsageError {
  return new UsageError(
    action === undefined ? `missing <${actions.join('|')}>` : `unknown action "${action}"`,
  );
}
