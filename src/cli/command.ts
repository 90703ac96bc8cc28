import type { Services } from '../services/types.js';

/** Where a command reads and writes; tests give their own. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Parsed argv: positionals and `--flag value` / `--flag=value` / `--bool` options. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[]>;
}

/** Exit codes: 0 success, 1 the operation failed (not found, refused), 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

// The CLI's own errors stay here (only the CLI throws or reads them); like the catalogue's in
// src/core/errors.ts, each has a stable code.

/** A thrown UsageError prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A thrown CommandFailed prints the message and exits 1. */
export class CommandFailed extends Error {
  readonly code = 'command_failed';
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}

/**
 * Thrown by `print` once standard output is gone (a reader such as `head` closed the pipe): the
 * command stops, quietly, with status 0, as `ls | head -1` does.
 */
export class OutputClosed extends Error {
  readonly code = 'output_closed';
  constructor() {
    super('standard output was closed');
    this.name = 'OutputClosed';
  }
}

export interface FlagSpec {
  /** 'boolean' flags take no value; 'string' take one; 'list' may repeat. */
  type: 'boolean' | 'string' | 'list';
  description: string;
  /** The value's name in help (`--port <port>`); default `value`. */
  value?: string;
  /** What applies when the flag is absent, shown in help as `(default: …)`. */
  default?: string;
}

/** One CLI command (`gatehouse <name> …`). */
export interface Command {
  name: string;
  /** One line for `gatehouse --help`. */
  summary: string;
  /** The usage line(s) after `gatehouse `, e.g. `createuser <username> [--admin]`. */
  usage: string;
  flags: Record<string, FlagSpec>;
  /**
   * Runs the command. `open()` resolves the config exactly as the server does (config file, env,
   * --config) and opens the stores, so the command acts on the same database; it is closed after.
   */
  run(args: ParsedArgs, env: CommandEnv): Promise<number>;
}

export interface CommandEnv {
  io: Io;
  /** Opens the services over the configured stores (migrations applied). Closed by the caller. */
  open(): Promise<Services>;
  /** Prints to stdout with a newline; throws OutputClosed once stdout is gone. */
  print(line: string): void;
  /** Reads a secret: from stdin when piped, or prompted without echo on a TTY. */
  readSecret(prompt: string): Promise<string>;
}
