import { createInterface } from 'node:readline';
import type { Io } from './command.js';
import { CommandFailed, UsageError } from './command.js';

/** Reads all of stdin (a piped secret), without its trailing newline. */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Prompts on a TTY without echoing what is typed. */
export function promptHidden(io: Io, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    io.stderr.write(prompt);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new CommandFailed('cancelled'));
    });
  });
}

/**
 * A new password: from stdin with --password-stdin, else prompted twice on a TTY. Without a TTY
 * and without the flag there is nobody to ask: a usage error.
 */
export async function readNewPassword(io: Io, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdin(io);
  if (!io.stdin.isTTY)
    throw new UsageError('no terminal to prompt on: pipe the password with --password-stdin');
  const first = await promptHidden(io, 'Password: ');
  const again = await promptHidden(io, 'Password (again): ');
  if (first !== again) throw new CommandFailed("the passwords didn't match");
  return first;
}
