import { GLOBAL_FLAGS } from './args.js';
import type { Command, FlagSpec } from './command.js';

/** Where every description starts, in `gatehouse --help` and in each command's help alike. */
const INDENT = '  ';
const GAP = '  ';

type Row = readonly [term: string, description: string];

/** Two aligned columns: a term and its description, the terms padded to `width`. */
export function columns(rows: readonly Row[], width = termWidth(rows)): string[] {
  return rows.map(([term, text]) => `${INDENT}${term.padEnd(width)}${GAP}${text}`.trimEnd());
}

const termWidth = (rows: readonly Row[]): number => Math.max(...rows.map(([term]) => term.length));

/** `gatehouse --help`: every command and its summary. */
export function overview(commands: readonly Command[]): string {
  const commandRows = commands.map((c): Row => [c.name, c.summary]);
  const globalRows = flagRows(GLOBAL_FLAGS);
  // One width for both blocks, so every description on the page starts in the same column.
  const width = termWidth([...commandRows, ...globalRows]);
  const lines = columns(commandRows, width);
  const global = columns(globalRows, width);
  return [
    'Usage: gatehouse <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command:',
    ...global,
    '',
    "Run `gatehouse <command> --help` for a command's options.",
    'Exit status: 0 done, 1 the operation failed (not found, refused), 2 bad usage.',
    '',
  ].join('\n');
}

/** `gatehouse <command> --help`: usage, summary and every option with its default. */
export function commandHelp(command: Command): string {
  const flags = columns(flagRows({ ...command.flags, ...GLOBAL_FLAGS }));
  return `Usage: gatehouse ${command.usage}\n\n${command.summary}\n\nOptions:\n${flags.join('\n')}\n`;
}

function flagRows(flags: Record<string, FlagSpec>): Row[] {
  return Object.entries(flags).map(([name, spec]) => [label(name, spec), describe(spec)]);
}

function label(name: string, spec: FlagSpec): string {
  if (spec.type === 'boolean') return `--${name}`;
  return `--${name} <${spec.value ?? 'value'}>${spec.type === 'list' ? '…' : ''}`;
}

function describe(spec: FlagSpec): string {
  return spec.default === undefined ? spec.description : `${spec.description} (default: ${spec.default})`;
}
